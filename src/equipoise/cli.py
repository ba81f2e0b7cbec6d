"""The `equipoise` command.

Each area of the system contributes its sub-commands through a `commands` module that
exposes `register(subparsers)`; the list below is the whole command surface, in one place.
A handler returns the process exit code. Handlers that need the database call
`equipoise.django_setup.setup()` themselves, so pure commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = [
    "equipoise.protocol.commands",
    "equipoise.registry.commands",
    "equipoise.eligibility.commands",
    "equipoise.instruments.commands",
    "equipoise.stats.commands",
    "equipoise.system_commands",
    "equipoise.randomization.commands",
    "equipoise.allocation.commands",
    "equipoise.api.commands",
    "equipoise.treatment.commands",
    "equipoise.stats.db_commands",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equipoise",
        description="Run a randomized clinical trial whose protocol is reviewable code.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
