"""`equipoise protocol load PATH`: store a protocol directory as a new version if it changed.

Added under the `protocol` command that `equipoise.protocol.commands` creates (this module is listed
after it in COMMAND_MODULES); the checking stays pure, the storing needs the database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from equipoise.cli import command_group
from equipoise.protocol.loader import ProtocolInvalid


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "protocol", help="check and load protocol files")
    load = sub.add_parser("load", help="store the protocol as a new version if it changed")
    load.add_argument("path", type=Path)
    load.set_defaults(func=load_command)


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
