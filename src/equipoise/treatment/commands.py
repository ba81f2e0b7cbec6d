"""`equipoise safety notify-due [--now ISO]`: email every reporting clock due or overdue.

Meant for a scheduler (cron, a systemd timer) every hour or so. It reads the clocks at `now`
(the current time unless `--now` gives an instant with its UTC offset, to replay a past moment),
emails one summary to `SPONSOR_SAFETY_EMAIL` and one per site to the site's investigators, and
prints what it did. Exit codes: 0 done (also when nothing was due); 2 a bad `--now`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from equipoise.cli import command_group


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "safety", help="drug-safety reporting tools")
    notify = sub.add_parser("notify-due", help="email the SAE/SUSAR reporting clocks that are due or overdue")
    notify.add_argument("--now", default="", help="the instant to judge at, e.g. 2026-03-29T09:00+02:00")
    notify.set_defaults(func=notify_due_command)


def parse_now(text: str) -> dt.datetime | None:
    """The `--now` instant; None for the current time. Raises ValueError naming the rule."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("it needs a UTC offset, e.g. +01:00 (a time without one is ambiguous)")
    return moment


def notify_due_command(args: argparse.Namespace) -> int:
    try:
        given = parse_now(args.now)
    except ValueError as exc:
        print(f"error: --now {args.now!r}: {exc}", file=sys.stderr)
        return 2
    from equipoise.django_setup import setup

    setup()
    from django.utils import timezone

    from equipoise.treatment.clocks import running_clocks, serious_events
    from equipoise.treatment.notifications import send_due_clock_notices

    now = given or timezone.now()
    rows = running_clocks(serious_events(), now)
    sent = send_due_clock_notices(rows, now)
    overdue = sum(1 for r in rows if r.overdue)
    print(f"{len(rows)} clock(s) running ({overdue} overdue); {sent} email(s) sent")
    return 0
