"""`equipoise eligibility check FILE`: evaluate one screening record without a database.

Prints the decision as JSON and exits 0 whatever the verdict. A record that cannot be read or
does not fit the data dictionary prints one line on stderr, nothing on stdout, and exits 2;
an invalid protocol directory lists its problems on stderr and exits 2 as well.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from equipoise.cli import command_group
from equipoise.eligibility.evaluator import check_eligibility, compiled_criteria
from equipoise.eligibility.record import InputError
from equipoise.eligibility.report import as_json
from equipoise.protocol.loader import ProtocolInvalid, load_protocol

DEFAULT_PROTOCOL = Path("protocols/nct06965244")


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "eligibility", help="evaluate eligibility criteria")
    check = sub.add_parser("check", help="evaluate a screening record (JSON file, or - for stdin)")
    check.add_argument("file", help="screening record as a JSON object, or - to read stdin")
    check.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL,
                       help=f"protocol directory (default {DEFAULT_PROTOCOL})")
    check.set_defaults(func=check_command)


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    return Path(file).read_text(encoding="utf-8")


def check_command(args: argparse.Namespace) -> int:
    try:
        loaded = load_protocol(args.protocol)
    except ProtocolInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: cannot be read: {exc}", file=sys.stderr)
        return 2
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"{args.file}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
              file=sys.stderr)
        return 2
    try:
        result = check_eligibility(loaded, record)
    except InputError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(as_json(result, compiled_criteria(loaded).fields), ensure_ascii=False, indent=2))
    return 0
