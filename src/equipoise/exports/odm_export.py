"""The trial as one ODM 1.3.2 file: metadata of every protocol version, AdminData, ClinicalData.

`write_odm(out, protocol_id, file_type, cutoff)` streams to a binary file:
- Study: GlobalVariables from the registry record; one MetaDataVersion per stored protocol version.
- AdminData: every user (grouped by role, the role named in DisplayName and UserType) and every
  site as a Location (plus the sponsor), each Location naming the versions in force there.
- ClinicalData, one per protocol version: Transactional gives every revision with its audit
  record; Snapshot the values in force at the cut-off. The Transactional file is the archive
  (`Archival="Yes"`). The adverse events and dispensings recorded under the version follow each
  subject's visits (`interchange.odm_treatment`), and the investigator's signatures sit on the
  signed visit's StudyEventData or the signed casebook's SubjectData (`interchange.signatures`;
  their meanings are SignatureDefs in AdminData).
A user the blinding policy keeps from arms gets only the forms it lets them open
(`allocation.blinding.open_forms`), and no adverse events or dispensings (they name the drug).
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.contrib.auth import get_user_model
from django.utils import timezone

from equipoise.allocation.blinding import may_see_arm, open_forms
from equipoise.exports.reading import (
    Cutoff,
    previous_data,
    revision_rows,
    signature_facts,
    signature_meanings,
    snapshot_rows,
    treatment_records,
    versions,
)
from equipoise.interchange.odm_clinical import (
    location_oid,
    snapshot_blocks,
    transactional_blocks,
    user_oid,
)
from equipoise.interchange.odm_metadata import VersionLayout, layout
from equipoise.interchange.odm_treatment import with_treatment
from equipoise.interchange.odm_writer import LocationInfo, OdmFile, StudyInfo, UserInfo
from equipoise.interchange.signatures import signature_defs, signed_blocks
from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights
from equipoise.records.models import Membership, ProtocolVersion, Site
from equipoise.records.protocol_versions import protocol_of
from equipoise.records.roles import LABELS, SPONSOR_LEVEL, Role

SPONSOR_LOCATION = "LOC.SPONSOR"
ROLE_ORDER = [Role.SPONSOR_ADMIN, Role.DATA_MANAGER, Role.MONITOR, Role.STATISTICIAN, Role.INVESTIGATOR,
              Role.BLINDED_ASSESSOR, Role.PHARMACIST]


def study_oid(protocol: Protocol) -> str:
    return f"ST.{protocol.registry.identifiers.nct_id}"


def study_info(protocol: Protocol) -> StudyInfo:
    reg = protocol.registry
    return StudyInfo(oid=study_oid(protocol), name=reg.acronym or reg.brief_title.en,
                     description=reg.brief_title.en, protocol_name=reg.identifiers.org_study_id)


def _users() -> list[UserInfo]:
    memberships: dict[int, list[tuple[Role, str | None]]] = {}
    for user_id, role, site in Membership.objects.values_list("user_id", "role", "site__code"):
        memberships.setdefault(user_id, []).append((Role(role), site))
    people = []
    for user in get_user_model().objects.order_by("username").only("id", "username", "first_name", "last_name"):
        held = memberships.get(user.pk, [])
        roles = sorted({r for r, _ in held}, key=ROLE_ORDER.index)
        sites = sorted({s for _, s in held if s})
        if roles and all(r in SPONSOR_LEVEL for r in roles):
            kind = "Sponsor"
        elif any(r in (Role.INVESTIGATOR, Role.BLINDED_ASSESSOR) for r in roles):
            kind = "Investigator"
        else:
            kind = "Other"
        name = user.get_full_name() or user.username
        role_names = ", ".join(LABELS[r][0] for r in roles) or "no role"
        locations = tuple(location_oid(s) for s in sites) or (SPONSOR_LOCATION,)
        people.append((ROLE_ORDER.index(roles[0]) if roles else len(ROLE_ORDER), UserInfo(
            oid=user_oid(user.username), login=user.username, display=f"{name} ({role_names})", kind=kind,
            organization=", ".join(sites) if sites else "Sponsor", locations=locations)))
    return [u for _, u in sorted(people, key=lambda p: (p[0], p[1].login))]


def _locations(stored: list[ProtocolVersion], sponsor: str) -> list[LocationInfo]:
    refs = tuple((f"MDV.{v.protocol_id}.v{v.number}", timezone.localdate(v.loaded_at)) for v in stored)
    out = [LocationInfo(oid=SPONSOR_LOCATION, name=sponsor, kind="Sponsor", versions=refs)]
    out += [LocationInfo(oid=location_oid(s.code), name=f"{s.code} {s.name}", kind="Site", versions=refs)
            for s in Site.objects.order_by("code")]
    return out


def write_odm(out: IO[bytes], protocol_id: str, file_type: str, cutoff: Cutoff, *, rights: Rights,
              created: dt.datetime | None = None) -> dict[str, int]:
    """Write the ODM file; returns counts (subject blocks written per MetaDataVersion)."""
    stored = versions(protocol_id, cutoff)
    if not stored:
        raise ValueError(f"no version of protocol {protocol_id} was loaded before the cut-off")
    protocols = [protocol_of(v) for v in stored]
    units: dict[str, str] = {}
    layouts: list[VersionLayout] = [layout(p, v.number, units) for p, v in zip(protocols, stored, strict=True)]
    latest = protocols[-1]
    created = created or timezone.now()
    transactional = file_type == "Transactional"
    info = study_info(latest)
    counts = {}
    with OdmFile(out, file_type=file_type, file_oid=f"{info.oid}.{file_type}.{created:%Y%m%dT%H%M%S}",
                 created=created, as_of=cutoff.end if cutoff.date else None, archival=transactional,
                 description=f"{latest.registry.brief_title.en}: data as known at {cutoff.label}",
                 originator=latest.registry.sponsor) as odm:
        odm.study(info, layouts)
        odm.admin(info.oid, _users(), _locations(stored, latest.registry.sponsor), signature_defs(signature_meanings()))
        for version, protocol, lay in zip(stored, protocols, layouts, strict=True):
            forms = frozenset(f.id for f in open_forms(rights, protocol.forms))
            if transactional:
                blocks = transactional_blocks(revision_rows(protocol_id, version, protocol, cutoff, forms), lay,
                                              previous_data)
            else:
                blocks = snapshot_blocks(snapshot_rows(protocol_id, version, protocol, cutoff, forms), lay)
            if may_see_arm(rights):
                blocks = with_treatment(blocks, treatment_records(protocol_id, version, cutoff), transactional,
                                        location_oid)
            blocks = signed_blocks(blocks, signature_facts(protocol_id, protocol, cutoff), user_oid("{}"))
            n = 0
            with odm.clinical_data(info.oid, lay.oid):
                for block in blocks:
                    odm.subject(block)
                    n += 1
            counts[lay.oid] = n
    return counts
