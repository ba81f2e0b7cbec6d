"""Commands that run the system itself: database setup, demo data and the web server."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    manage = subparsers.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=manage_command)


def manage_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["equipoise manage", *args.rest])
    return 0
