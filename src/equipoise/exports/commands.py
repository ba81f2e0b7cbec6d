"""`equipoise export odm | datasets`: the trial's data in standard formats, from the database.

- `odm --type transactional|snapshot --output FILE --user NAME [--cutoff DATE]`: ODM 1.3.2; the
  transactional file is the full history with every audit record (the archive, Archival="Yes"),
  the snapshot the values in force at the cut-off.
- `datasets --output DIR --user NAME [--cutoff DATE] [--arms masked|coded|actual]
  [--format json,ndjson,csv,xpt] [--domains DM,AE,...]`: the SDTM-shaped domains as
  Dataset-JSON 1.1, NDJSON, CSV with data_dictionary.csv, and SAS XPORT v5.

`--user` names who takes the export (a data manager, monitor, statistician or sponsor
administrator); arms other than masked need a user who may see arms. Each export is recorded in
the audit trail. Exit codes: 0 written; 1 refused; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from equipoise.cli import command_group


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD (got {text!r})") from None


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "export", "the trial's data as ODM, Dataset-JSON, CSV and SAS XPORT")
    odm = sub.add_parser("odm", help="CDISC ODM 1.3.2 with the audit trail (transactional) or current values")
    odm.add_argument("--type", choices=["transactional", "snapshot"], default="transactional",
                     help="transactional: every change with its audit record (archive); snapshot: values in force")
    odm.add_argument("--output", type=Path, required=True, metavar="FILE", help="XML file to write")
    odm.add_argument("--user", required=True, metavar="USERNAME", help="who takes the export")
    odm.add_argument("--cutoff", type=iso_date, help="data known at the end of this day, Paris time (YYYY-MM-DD)")
    odm.add_argument("--protocol", help="protocol id (default: the only one loaded)")
    odm.set_defaults(func=odm_command)

    ds = sub.add_parser("datasets", help="SDTM-shaped domains as Dataset-JSON, NDJSON, CSV and SAS XPORT")
    ds.add_argument("--output", type=Path, required=True, metavar="DIR", help="directory to write into")
    ds.add_argument("--user", required=True, metavar="USERNAME", help="who takes the export")
    ds.add_argument("--cutoff", type=iso_date, help="data known at the end of this day, Paris time (YYYY-MM-DD)")
    ds.add_argument("--arms", choices=["masked", "coded", "actual"], default="masked",
                    help="masked: no arm (default); coded: A/B for the DSMB open session; actual: arms, EX, causality")
    ds.add_argument("--format", type=_list, default=None, metavar="LIST",
                    help="comma-separated among json, ndjson, csv, xpt (default: all)")
    ds.add_argument("--domains", type=_list, default=None, metavar="LIST",
                    help="comma-separated domains (default: all the arm mode allows)")
    ds.add_argument("--protocol", help="protocol id (default: the only one loaded)")
    ds.set_defaults(func=datasets_command)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _actor(username: str, mode):
    """(rights, actor, None) for a user who may take this export, else (None, None, exit code)."""
    from django.contrib.auth import get_user_model

    from equipoise.exports.policy import ExportRefused, export_actor

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return None, None, _fail(f"--user: no active user {username!r}")
    try:
        rights, actor = export_actor(user, mode, request_id="cli")
    except ExportRefused as exc:
        return None, None, _fail(f"--user: {exc}", 1)
    return rights, actor, None


def _chosen_protocol(args: argparse.Namespace) -> int | None:
    """Set `args.protocol` to the protocol named or the only one loaded; an exit code if neither."""
    from django.core.exceptions import BadRequest

    from equipoise.records.loaded_protocols import chosen_protocol_id

    try:
        args.protocol = chosen_protocol_id(args.protocol)
    except BadRequest as exc:
        return _fail(f"--protocol: {exc}")
    return None


def odm_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.exports.actions import record_export
    from equipoise.exports.odm_export import write_odm
    from equipoise.exports.reading import Cutoff
    from equipoise.interchange.sdtm import ArmMode
    from equipoise.records.audit_actions import AuditAction
    from equipoise.records.protocol_versions import current_version

    rights, actor, code = _actor(args.user, ArmMode.MASKED)
    if code is not None:
        return code
    if (code := _chosen_protocol(args)) is not None:
        return code
    cutoff = Cutoff.at(args.cutoff)
    file_type = "Transactional" if args.type == "transactional" else "Snapshot"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with args.output.open("wb") as out:
            counts = write_odm(out, args.protocol, file_type, cutoff, rights=rights.rights)
    except ValueError as exc:
        args.output.unlink(missing_ok=True)
        return _fail(str(exc))
    version = current_version(args.protocol)
    record_export(actor, AuditAction.EXPORT_ODM, f"odm-{args.type}", cutoff, arms="none",
                  protocol_version=f"{args.protocol} v{version.number}", files=[args.output.name])
    print(f"{args.output}: ODM 1.3.2 {file_type}, {sum(counts.values())} subject blocks, data as known at {cutoff.label}")
    return 0


def datasets_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.exports.actions import record_export
    from equipoise.exports.datasets_export import FORMATS, write_datasets
    from equipoise.exports.reading import Cutoff
    from equipoise.interchange.sdtm import DOMAINS, ArmMode
    from equipoise.records.audit_actions import AuditAction
    from equipoise.records.protocol_versions import current_version

    mode = ArmMode(args.arms)
    formats = args.format or list(FORMATS)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        return _fail(f"--format: unknown {', '.join(bad)}; choose among {', '.join(FORMATS)}")
    domains = [d.upper() for d in args.domains] if args.domains else None
    bad = [d for d in domains or [] if d not in DOMAINS]
    if bad:
        return _fail(f"--domains: unknown {', '.join(bad)}; choose among {', '.join(DOMAINS)}")
    rights, actor, code = _actor(args.user, mode)
    if code is not None:
        return code
    if (code := _chosen_protocol(args)) is not None:
        return code
    cutoff = Cutoff.at(args.cutoff)
    try:
        files = write_datasets(args.output, args.protocol, cutoff, mode, rights=rights.rights, formats=formats,
                               domains=domains)
    except PermissionError as exc:
        return _fail(f"--domains: {exc}", 1)
    except ValueError as exc:
        return _fail(str(exc))
    version = current_version(args.protocol)
    record_export(actor, AuditAction.EXPORT_DATASETS, "datasets", cutoff, arms=mode.value,
                  protocol_version=f"{args.protocol} v{version.number}", files=[f.name for f in files])
    print(f"{args.output}: {len(files)} files ({', '.join(formats)}), arms {mode.value}, data as known at {cutoff.label}")
    return 0
