"""The data manager's download page: ODM archives and the statisticians' datasets, at a cut-off.

`index` shows what the signed-in user may take (403 for anyone without an export role);
`download` (POST, CSRF-protected) checks the same rights through `policy.export_actor`, writes the
file into an anonymous temporary file (ODM) or a ZIP of the domain files (datasets), records the
export in the audit trail and streams the file back from disk. A bad date or choice is a 400
naming it, and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from equipoise.exports.actions import record_export
from equipoise.exports.datasets_export import FORMATS, allowed_domains, write_datasets
from equipoise.exports.odm_export import write_odm
from equipoise.exports.policy import ExportRefused, export_actor, export_rights
from equipoise.exports.reading import Cutoff
from equipoise.interchange.sdtm import ArmMode
from equipoise.records.access import all_roles
from equipoise.records.audit_actions import AuditAction
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.protocol_versions import current_version
from equipoise.records.requests import SignedInRequest
from equipoise.visits.localtime import trial_date

ODM_KINDS = {"odm-transactional": "Transactional", "odm-snapshot": "Snapshot"}


def _page(request: SignedInRequest, status: int = 200) -> HttpResponse:
    rights = export_rights(all_roles(request.user))
    if not rights.allowed:
        raise PermissionDenied("exports are for the data manager, the monitor, the statistician and the sponsor")
    today = trial_date(timezone.now())
    modes = [m for m in (ArmMode.MASKED, ArmMode.CODED, ArmMode.ACTUAL) if m in rights.arm_modes]
    return render(request, "exports/index.html", {
        "today": today, "modes": modes, "formats": FORMATS, "blinded": not rights.may_see_arm,
        "domains": {m.value: allowed_domains(m, rights.rights) for m in modes},
        "cutoff": request.POST.get("cutoff", "") or today.isoformat(),
    }, status=status)


@require_GET
def index(request: SignedInRequest) -> HttpResponse:
    return _page(request)


def _cutoff(text: str) -> Cutoff:
    if not text:
        return Cutoff.at(None)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Data cut-off: “%(value)s” is not a date.") % {"value": text}) from None
    if day > trial_date(timezone.now()):
        raise ValueError(_("Data cut-off: %(value)s is in the future.") % {"value": text})
    return Cutoff.at(day)


def _refuse(request: SignedInRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return _page(request, status=400)


@require_POST
def download(request: SignedInRequest) -> HttpResponseBase:
    kind = request.POST.get("export", "")
    mode_text = request.POST.get("arms", ArmMode.MASKED.value)
    fmt = request.POST.get("format", "csv")
    if kind not in (*ODM_KINDS, "datasets"):
        return _refuse(request, _("Choose which export to download."))
    if mode_text not in {m.value for m in ArmMode}:
        return _refuse(request, _("Arms: choose masked, coded or actual."))
    if kind == "datasets" and fmt not in FORMATS:
        return _refuse(request, _("Format: choose Dataset-JSON, NDJSON, CSV or SAS XPORT."))
    mode = ArmMode(mode_text) if kind == "datasets" else ArmMode.MASKED
    protocol_id = chosen_protocol_id(request.POST.get("protocol") or request.GET.get("protocol"))
    try:
        cutoff = _cutoff(request.POST.get("cutoff", ""))
        rights, actor = export_actor(request.user, mode, request_id=request.request_id)
    except ValueError as exc:
        return _refuse(request, str(exc))
    except ExportRefused as exc:
        raise PermissionDenied(str(exc)) from None
    version = current_version(protocol_id)
    label = f"{protocol_id} v{version.number}"
    stamp = cutoff.label
    out = tempfile.TemporaryFile()
    if kind in ODM_KINDS:
        write_odm(out, protocol_id, ODM_KINDS[kind], cutoff, rights=rights.rights)
        filename = f"{protocol_id}-{kind}-{stamp}.xml"
        record_export(actor, AuditAction.EXPORT_ODM, kind, cutoff, arms="none", protocol_version=label, files=[filename])
    else:
        with tempfile.TemporaryDirectory(prefix="equipoise-export-") as directory:
            files = write_datasets(Path(directory), protocol_id, cutoff, mode, rights=rights.rights, formats=[fmt])
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.write(path, path.name)
        filename = f"{protocol_id}-datasets-{fmt}-{mode.value}-{stamp}.zip"
        record_export(actor, AuditAction.EXPORT_DATASETS, "datasets", cutoff, arms=mode.value, protocol_version=label,
                      files=[p.name for p in files])
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename)
