"""`equipoise randomization load` and `equipoise randomization check-stored`.

These extend the `randomization` command of the pure package (generate, verify, simulate) with
the two actions that need the database. When that command is registered first (it is, in
COMMAND_MODULES), the actions are added under it; otherwise the command is created here.

Exit codes: 0 done; 1 refused (commitment mismatch, a list already active, a stored list altered);
2 bad arguments or an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from equipoise.cli import command_group


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "randomization", "randomization lists, simulations and allocation")
    load = sub.add_parser("load", help="load the committed list into the database (statistician)")
    load.add_argument("file", type=Path, help="the JSON lines list made by `randomization generate`")
    load.add_argument("--sha256", required=True, metavar="HEX", help="the statistician's committed digest")
    load.add_argument("--user", required=True, metavar="USERNAME", help="the statistician loading it")
    load.add_argument("--report", type=Path, metavar="FILE",
                      help="generation report to keep with the list (default: FILE.report.json if present)")
    load.add_argument("--protocol", help="protocol id (default: the only one loaded)")
    load.set_defaults(func=load_command)

    check = sub.add_parser("check-stored", help="check stored lists still match their commitment")
    check.set_defaults(func=check_stored_command)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def load_command(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"{args.file}: cannot be read ({exc.strerror})")
    report_path = args.report or Path(f"{args.file}.report.json")
    report = None
    if args.report is not None or report_path.exists():
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            return _fail(f"--report: {report_path} is not a readable JSON report ({exc})")
        if isinstance(report, dict) and "seed" in report:
            return _fail(f"--report: {report_path} carries the secret seed; the public report must not "
                         "(regenerate it: the seed belongs in the sealed record only)", 1)
    from equipoise.django_setup import setup

    setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import BadRequest

    from equipoise.allocation.actions.lists import load_list
    from equipoise.records.access import all_roles
    from equipoise.records.actions.errors import ActionRefused
    from equipoise.records.actor import Actor
    from equipoise.records.loaded_protocols import chosen_protocol_id
    from equipoise.records.roles import Role

    user = get_user_model().objects.filter(username=args.user, is_active=True).first()
    if user is None:
        return _fail(f"--user: no active user {args.user!r}")
    if Role.STATISTICIAN not in all_roles(user):
        return _fail(f"--user: {args.user!r} is not a statistician; only the statistician loads the list", 1)
    actor = Actor(user=user, role=Role.STATISTICIAN.value, request_id="cli")
    try:
        protocol_id = chosen_protocol_id(args.protocol)
    except BadRequest as exc:
        return _fail(f"--protocol: {exc}")
    try:
        rlist = load_list(actor, protocol_id, data, args.sha256, report)
    except ActionRefused as exc:
        for error in exc.errors[1:]:
            print(f"  {error.message}", file=sys.stderr)
        return _fail(str(exc), 1)
    except LookupError as exc:
        return _fail(str(exc))
    print(f"loaded list {rlist.sha256} ({rlist.slots.count()} slots) for {protocol_id}")
    return 0


def check_stored_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.allocation.checks import verify_stored_lists

    problems = verify_stored_lists()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("every stored randomization list matches its commitment")
    return 1 if problems else 0
