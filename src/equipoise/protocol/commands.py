"""`equipoise protocol check`: validate a protocol directory (`protocol load`, which stores it in
the database, is added by `equipoise.records.commands`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from equipoise.cli import command_group
from equipoise.protocol.loader import ProtocolInvalid, load_protocol


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "protocol", help="check and load protocol files")
    check = sub.add_parser("check", help="validate a protocol directory")
    check.add_argument("path", type=Path)
    check.set_defaults(func=check_command)


def check_command(args: argparse.Namespace) -> int:
    try:
        loaded = load_protocol(args.path)
    except ProtocolInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {args.path}", file=sys.stderr)
        return 2
    p = loaded.protocol
    print(
        f"{p.registry.identifiers.nct_id} ({p.id}): valid - {len(p.arms)} arms, "
        f"{len(p.schedule.visits)} visits, {len(p.forms)} forms, {len(p.criteria)} criteria, "
        f"{len(p.assumptions())} assumptions flagged, sha256 {loaded.sha256[:12]}"
    )
    return 0
