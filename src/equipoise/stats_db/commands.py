"""`equipoise stats report | export-dataset | analyse`: the statistics from the trial database.

Added under the `stats` command that `equipoise.stats.commands` creates (this module is listed
after it in COMMAND_MODULES).

- `report --cutoff DATE --output DIR --user NAME` writes report.html, report.json, consort.svg,
  consort.png, table1.html and recruitment.svg, all from the database as known on the cut-off.
- `export-dataset --output FILE --user NAME [--cutoff DATE]` writes the analysis dataset (JSON).
- `analyse --dataset FILE [--json]` runs the primary analysis on an exported dataset, with no
  database: anyone holding the file and the code can check the numbers.

`report` and `export-dataset` hand out arm-level results, so, as on the pages, `--user` must be
an unblinded statistician, and each file written is recorded in the audit trail.
Exit codes: 0 done; 1 refused (not the statistician); 2 bad arguments or unreadable input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from equipoise.cli import command_group
from equipoise.stats.commands import DEFAULT_PROTOCOL, print_json


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD (got {text!r})") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "stats", "sample size, intervals, design simulation and reports")
    report = sub.add_parser("report", help="write the statistical report files from the database (statistician)")
    report.add_argument("--cutoff", type=iso_date, required=True, help="data cut-off date YYYY-MM-DD")
    report.add_argument("--output", type=Path, required=True, metavar="DIR", help="directory to write into")
    report.add_argument("--user", required=True, metavar="USERNAME", help="the statistician producing it")
    report.add_argument("--trial", metavar="PROTOCOL_ID", help="protocol id (default: the only one loaded)")
    report.add_argument("--final", action="store_true",
                        help="final analysis: the non-responder rule for everyone randomized "
                             "(default: interim, leaving out patients not yet evaluable)")
    report.set_defaults(func=report_command)

    export = sub.add_parser("export-dataset", help="write the analysis dataset from the database (statistician)")
    export.add_argument("--output", type=Path, required=True, metavar="FILE", help="JSON file to write")
    export.add_argument("--cutoff", type=iso_date, help="data cut-off date YYYY-MM-DD (default: today, Paris)")
    export.add_argument("--user", required=True, metavar="USERNAME", help="the statistician exporting it")
    export.add_argument("--trial", metavar="PROTOCOL_ID", help="protocol id (default: the only one loaded)")
    export.set_defaults(func=export_command)

    analyse = sub.add_parser("analyse", help="primary analysis of an exported dataset (no database)")
    analyse.add_argument("--dataset", type=Path, required=True, metavar="FILE", help="exported dataset JSON")
    analyse.add_argument("--protocol", default=DEFAULT_PROTOCOL,
                         help="protocol directory naming the treatment and control arms")
    analyse.add_argument("--json", action="store_true", help="print the full result as JSON")
    analyse.set_defaults(func=analyse_command)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _statistician(username: str):
    """(actor, None) for an active unblinded statistician, else (None, exit code after the message)."""
    from django.contrib.auth import get_user_model

    from equipoise.records.access import all_roles
    from equipoise.stats_db.permissions import stats_rights

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return None, _fail(f"--user: no active user {username!r}")
    if not stats_rights(all_roles(user)).arm_level:
        return None, _fail(f"--user: {username!r} is not an unblinded statistician; results by arm are theirs only", 1)
    from equipoise.records.actor import Actor
    from equipoise.records.roles import Role

    return Actor(user=user, role=Role.STATISTICIAN.value, request_id="cli"), None


def _database_cut(cutoff: dt.date | None, trial: str | None, language: str = "en"):
    """(cutoff, context, dataset, version label, today) from the database; cutoff defaults to today,
    the trial to the only protocol loaded; the context's labels in `language`."""
    from django.core.exceptions import BadRequest
    from django.utils import timezone

    from equipoise.records.loaded_protocols import chosen_protocol_id
    from equipoise.records.protocol_versions import current_version, protocol_of
    from equipoise.stats_db.extract import build_dataset
    from equipoise.stats_db.trial_context import trial_context
    from equipoise.visits.localtime import trial_date

    today = trial_date(timezone.now())
    cutoff = cutoff or today
    if cutoff > today:
        raise ValueError(f"--cutoff: {cutoff.isoformat()} is after today ({today.isoformat()})")
    try:
        protocol_id = chosen_protocol_id(trial)
    except BadRequest as exc:
        raise ValueError(f"--trial: {exc}") from None
    version = current_version(protocol_id)
    context = trial_context(protocol_of(version), language)
    return cutoff, context, build_dataset(cutoff, protocol_id, context), f"{protocol_id} v{version.number}", today


def report_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.people.languages import language_of
    from equipoise.stats_db import documents
    from equipoise.stats_db.downloads import record_download

    actor, code = _statistician(args.user)
    if actor is None:
        return code
    language = language_of(actor.user)  # the statistician's own language, as on the pages
    try:
        cutoff, context, dataset, label, today = _database_cut(args.cutoff, args.trial, language)
    except (ValueError, LookupError) as exc:
        return _fail(str(exc))
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"--output: {args.output} cannot be created ({exc.strerror})")
    result = documents.report(dataset, context, today, final=args.final)
    table = documents.table1_fragment(dataset, context, arm_level=True, language=language)
    files = {
        "report.html": result.html.encode(),
        "report.json": documents.report_json(result),
        "consort.svg": documents.consort(dataset, context, arm_level=True, fmt="svg", language=language),
        "consort.png": documents.consort(dataset, context, arm_level=True, fmt="png", language=language),
        "table1.html": _standalone(f"{context.trial_id} Table 1, cut-off {cutoff.isoformat()}", table, language),
        "recruitment.svg": documents.recruitment(dataset, context, language=language),
    }
    for name, body in files.items():
        (args.output / name).write_bytes(body)
        record_download(actor, name, cutoff, arm_level=name != "recruitment.svg", protocol_version=label)
    print(f"wrote {len(files)} files to {args.output} (cut-off {cutoff.isoformat()}, "
          f"{len(dataset.subjects)} randomized, {len(dataset.screening)} screened)")
    return 0


def _standalone(title: str, fragment: str, language: str = "en") -> bytes:
    from equipoise.stats.report_html import page

    return page(title, fragment, lang=language).encode()


def export_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.stats_db.downloads import record_download

    actor, code = _statistician(args.user)
    if actor is None:
        return code
    try:
        cutoff, _, dataset, label, _ = _database_cut(args.cutoff, args.trial)
    except (ValueError, LookupError) as exc:
        return _fail(str(exc))
    try:
        args.output.write_text(dataset.to_json(), encoding="utf-8")
    except OSError as exc:
        return _fail(f"--output: {args.output} cannot be written ({exc.strerror})")
    record_download(actor, "dataset.json", cutoff, arm_level=True, protocol_version=label)
    print(f"wrote {args.output} (cut-off {cutoff.isoformat()}, {len(dataset.subjects)} randomized)")
    return 0


def analyse_command(args: argparse.Namespace) -> int:
    from equipoise.protocol.loader import ProtocolInvalid, load_protocol
    from equipoise.stats.analysis_dataset import DatasetError, dataset_from_json
    from equipoise.stats_db.documents import primary_summary
    from equipoise.stats_db.trial_context import TrialContextError, trial_context

    try:
        text = args.dataset.read_text(encoding="utf-8")
    except OSError as exc:
        return _fail(f"--dataset: {args.dataset} cannot be read ({exc.strerror})")
    try:
        dataset = dataset_from_json(text)
    except DatasetError as exc:
        return _fail(f"--dataset: {exc}")
    try:
        context = trial_context(load_protocol(args.protocol).protocol)
    except ProtocolInvalid as exc:
        for problem in exc.problems:
            print(f"{args.protocol}: {problem}", file=sys.stderr)
        return 2
    except TrialContextError as exc:
        return _fail(f"--protocol: {exc}")
    try:
        result = primary_summary(dataset, context.treatment_arm, context.control_arm)
    except DatasetError as exc:
        return _fail(f"--dataset: {exc}")
    if args.json:
        print_json(result)
    else:
        print(describe_primary(result, dataset.trial_id, dataset.data_cutoff))
    return 0


def describe_primary(result: dict, trial_id: str, cutoff: dt.date) -> str:
    """A few lines a statistician can read at the terminal; --json gives everything."""
    itt = result["itt"]
    t, c = itt["treatment"], itt["control"]
    rd = itt.get("risk_difference")
    cmh = itt["cmh"]

    def rate(arm: dict) -> str:
        return f"{arm['responders']}/{arm['n']}" + (f" ({100 * arm['rate']:.1f}%)" if arm["rate"] is not None else "")

    lines = [f"{trial_id}, data cut-off {cutoff.isoformat()}: {result['endpoint']} at {result['visit']} (ITT)",
             f"  {t['arm']}: {rate(t)}", f"  {c['arm']}: {rate(c)}"]
    if rd:
        lines.append(f"  risk difference {100 * rd['difference']:.1f} points "
                     f"({100 * rd['lower']:.1f} to {100 * rd['upper']:.1f}, {rd['method']})")
    p = cmh.get("p_value")
    lines.append(f"  CMH p = {p:.4f}" if p is not None else "  CMH p = not computable")
    lines += [f"  note: {note}" for note in result["notes"]]
    return "\n".join(lines)
