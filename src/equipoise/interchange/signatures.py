"""Electronic signatures in the ODM file: which element a signature goes on, and how one that no
longer stands is told.

A visit signature covers that visit's forms: it goes on the visit's StudyEventData. A casebook
signature covers all the subject's data: it goes on the SubjectData. Both name the signer
(UserRef), the subject's site (LocationRef), the meaning (SignatureRef to a SignatureDef in
AdminData) and the time (DateTimeStamp).

Only a signature that stands at the export's cut-off is a `Signature`. One invalidated by a later
change (or whose records no longer hash to what was signed) is never given as a Signature: it is
an `Annotation` comment on the same element, saying who signed, when, and what invalidated it.
ODM allows one Signature per element, so when two stand on the same element the newest is the
Signature and the other is told in a comment too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from equipoise.interchange.odm_writer import EventBlock, SignatureDefInfo, Signed, SubjectBlock
from equipoise.interchange.subject_merge import with_records
from equipoise.interchange.timestamps import utc_stamp

VALID = "valid"
LEGAL_REASON = ("Electronic signature under 21 CFR Part 11 (11.50, 11.70, 11.200) and EU GMP Annex 11 section 14: "
                "the signer re-entered their password (and second factor where enrolled) to sign.")


@dataclass(frozen=True)
class SignatureFact:
    """One signature as the export sees it at its cut-off."""

    subject: str
    site: str
    event_oid: str | None  # None: the whole casebook
    repeat_key: str | None
    username: str
    printed_name: str
    role: str
    meaning_code: str
    meaning: str  # in English
    at: dt.datetime
    state: str  # valid | invalidated | broken
    invalidated_by: str = ""
    visit: tuple[str, bool, int, dt.date | None] | None = None  # visit id, scheduled, attempt, date done
    content_sha256: str = ""


def signature_def_oid(meaning_code: str) -> str:
    return f"SD.{meaning_code}"


def signature_defs(meanings: Iterable[tuple[str, str]]) -> list[SignatureDefInfo]:
    """One SignatureDef per meaning (code, English text)."""
    return [SignatureDefInfo(oid=signature_def_oid(code), meaning=text, legal_reason=LEGAL_REASON)
            for code, text in meanings]



def note(fact: SignatureFact) -> str:
    """The comment telling a signature that is not the element's Signature."""
    who = f"Signature of {fact.printed_name} ({fact.role}) given {utc_stamp(fact.at)}, meaning \"{fact.meaning}\""
    if fact.state == "invalidated":
        return f"{who}: signature invalidated by change of {fact.invalidated_by}; not valid."
    if fact.state == "broken":
        return f"{who}: the records no longer match the signed content; not valid."
    return f"{who}: also stands (ODM holds one Signature per element; the newest is given as the Signature)."


def sign_block(block: SubjectBlock, facts: Iterable[SignatureFact], user_oid: str, location_oid: str) -> None:
    """Put the subject's signatures on its SubjectData and StudyEventData, in place. `user_oid`
    formats a username into a user OID (e.g. "USR.{}"). A visit signature whose visit has no data
    in this block (another protocol version's ClinicalData, or forms the reader may not open) has
    no element here and is left out."""
    events: dict[tuple[str, str | None], EventBlock] = {(e.event_oid, e.repeat_key): e for e in block.events}
    given: dict[int, SignatureFact] = {}  # id(element block) -> the fact given as its Signature
    for fact in sorted(facts, key=lambda f: f.at):  # oldest first: the newest standing one stays
        target: SubjectBlock | EventBlock | None
        target = block if fact.event_oid is None else events.get((fact.event_oid, fact.repeat_key))
        if target is None:
            continue
        if fact.state != VALID:
            target.notes.append(note(fact))
            continue
        if id(target) in given:
            target.notes.append(note(given[id(target)]))
        given[id(target)] = fact
        target.signature = Signed(user_oid=user_oid.format(fact.username), location_oid=location_oid,
                                  signature_oid=signature_def_oid(fact.meaning_code), at=fact.at)


def signed_blocks(blocks: Iterable[SubjectBlock], facts: Iterable[SignatureFact], user_oid: str
                  ) -> Iterator[SubjectBlock]:
    """Merge subject blocks and signature facts, both in subject-code order, signing each block
    (the facts of a subject without a block here are left out)."""
    for block, _, mine in with_records(blocks, facts, lambda f: f.subject):
        if block is None:
            continue
        if mine:
            sign_block(block, mine, user_oid, block.location_oid)
        yield block
