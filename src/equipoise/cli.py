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
import weakref

COMMAND_MODULES = [
    "equipoise.protocol.commands",
    "equipoise.records.commands",
    "equipoise.registry.commands",
    "equipoise.eligibility.commands",
    "equipoise.instruments.commands",
    "equipoise.stats.commands",
    "equipoise.system_commands",
    "equipoise.randomization.commands",
    "equipoise.allocation.commands",
    "equipoise.api.commands",
    "equipoise.treatment.commands",
    "equipoise.stats_db.commands",
    "equipoise.exports.commands",
    "equipoise.people.commands",
]


# The sub-command groups made so far, per top-level parser, so that several modules can add actions
# to one command (`equipoise randomization generate` is pure, `... load` needs the database).
# Weak keys: a parser built for one call (tests build many) takes its groups with it when it goes.
_GROUPS: weakref.WeakKeyDictionary[argparse._SubParsersAction, dict[str, argparse._SubParsersAction]] = (
    weakref.WeakKeyDictionary())


def command_group(
    subparsers: argparse._SubParsersAction, name: str, help: str, **options
) -> argparse._SubParsersAction:
    """The actions of `equipoise NAME`, created on first use; `options` go to add_subparsers."""
    groups = _GROUPS.setdefault(subparsers, {})
    if name not in groups:
        parser = subparsers.add_parser(name, help=help)
        group = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", **options)
        group.required = True
        groups[name] = group
    return groups[name]


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
