"""`equipoise protocol ...`: check a protocol directory and load it as a new version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from equipoise.protocol.loader import ProtocolInvalid, load_protocol


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("protocol", help="check and load protocol files")
    sub = parser.add_subparsers(dest="protocol_command", metavar="ACTION")
    sub.required = True

    check = sub.add_parser("check", help="validate a protocol directory")
    check.add_argument("path", type=Path)
    check.set_defaults(func=check_command)

    load = sub.add_parser("load", help="store the protocol as a new version if it changed")
    load.add_argument("path", type=Path)
    load.set_defaults(func=load_command)


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


def load_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from equipoise.records.protocol_versions import store_protocol_version

    try:
        version, created = store_protocol_version(args.path)
    except ProtocolInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    state = "new version" if created else "unchanged"
    print(f"{version.protocol_id} version {version.number}: {state} (sha256 {version.sha256[:12]})")
    return 0
