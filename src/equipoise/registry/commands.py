"""`equipoise registry export ID --format ctgov-json`: print the protocol's registry record.

The protocol is read from `./protocols/<ID>` unless `--protocol-dir` names its directory.
Bad input (an unknown protocol or format) exits with status 2 and one line on stderr, so the
command can sit in a script or a CI job.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from equipoise.cli import command_group
from equipoise.protocol import schema
from equipoise.protocol.loader import ProtocolInvalid, load_protocol
from equipoise.registry.ctgov import study_document

EXPORTERS: dict[str, Callable[[schema.Protocol], dict[str, Any]]] = {
    "ctgov-json": study_document,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "registry", help="export the public registry record")

    export = sub.add_parser("export", help="print the registry record of a protocol")
    export.add_argument("protocol_id", help="protocol id, e.g. nct06965244")
    export.add_argument(
        "--format", default="ctgov-json",
        help=f"output format: {', '.join(EXPORTERS)} (default ctgov-json)",
    )
    export.add_argument(
        "--protocol-dir", type=Path, default=None,
        help="directory of the protocol files (default ./protocols/<protocol_id>)",
    )
    export.set_defaults(func=export_command)


def export_command(args: argparse.Namespace) -> int:
    exporter = EXPORTERS.get(args.format)
    if exporter is None:
        known = ", ".join(EXPORTERS)
        print(f"registry export: --format {args.format!r} is not known (use one of: {known})",
              file=sys.stderr)
        return 2
    directory = args.protocol_dir or Path("protocols") / args.protocol_id
    if not directory.is_dir():
        print(f"registry export: protocol {args.protocol_id!r} not found: "
              f"{directory} is not a directory", file=sys.stderr)
        return 2
    try:
        loaded = load_protocol(directory)
    except ProtocolInvalid as exc:
        print(f"registry export: protocol {args.protocol_id!r} at {directory} is invalid "
              f"({len(exc.problems)} problem(s); run `equipoise protocol check {directory}`)",
              file=sys.stderr)
        return 2
    json.dump(exporter(loaded.protocol), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
