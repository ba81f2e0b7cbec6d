"""Commands that run the system itself: database setup, demo data, the web server, audit checks."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from equipoise.cli import command_group


def register(subparsers: argparse._SubParsersAction) -> None:
    manage = subparsers.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=manage_command)

    migrate = subparsers.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(func=migrate_command)

    demo = subparsers.add_parser("demo", help="load the protocol and seed demo sites, users and subjects")
    demo.set_defaults(func=demo_command)

    setup_demo = subparsers.add_parser("setup-demo", help="migrate, then seed the demo (used by `make run`)")
    setup_demo.set_defaults(func=setup_demo_command)

    serve = subparsers.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", default="8000")
    serve.add_argument("--production", action="store_true",
                       help="gunicorn + whitenoise, bind and workers from EQUIPOISE_BIND / EQUIPOISE_WORKERS; "
                            "refuses an unsafe configuration")
    serve.set_defaults(func=serve_command)

    worker = subparsers.add_parser("worker", help="run the scheduled reminders and the background task queue")
    worker.add_argument("--interval", type=float, default=30.0, help="seconds between rounds (default 30)")
    worker.add_argument("--once", action="store_true", help="one round (schedule, send, run tasks), then exit")
    worker.set_defaults(func=worker_command)

    backup = subparsers.add_parser("backup", help="write a consistent copy of the database and its manifest")
    backup.add_argument("dest", help="the backup file to write (its manifest goes beside it, DEST.manifest.json)")
    backup.set_defaults(func=backup_command)

    restore = subparsers.add_parser("restore", help="check a backup (checksum, audit chain) and restore it")
    restore.add_argument("src", help="the backup file (its DEST.manifest.json beside it)")
    restore.add_argument("--replace", action="store_true", help="overwrite a database that already holds data")
    restore.set_defaults(func=restore_command)

    audit_sub = command_group(subparsers, "audit", help="audit trail tools")
    verify = audit_sub.add_parser("verify", help="check the audit trail's hash chain")
    verify.set_defaults(func=audit_verify_command)


def _django() -> None:
    from equipoise.django_setup import setup

    setup()


def manage_command(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["equipoise manage", *args.rest])
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print("database is up to date")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    _django()
    from equipoise.demo.people import DEMO_USERS, demo_password
    from equipoise.demo.seed import seed_demo

    print("Seeding demo data (protocol, sites, users, subjects)...")
    summary = seed_demo(dt.date.today())
    print(f"{summary['subjects_created']} subjects created, {summary['subjects_total']} in total")
    password = demo_password()
    print("\nDemo logins (password for all: " + password + "):")
    for username, role, site in DEMO_USERS:
        print(f"  {username:20} {role.value:18} {site or 'all sites'}")
    return 0


def setup_demo_command(args: argparse.Namespace) -> int:
    migrate_command(args)
    return demo_command(args)


def serve_command(args: argparse.Namespace) -> int:
    if args.production:
        from equipoise.operations.production_server import serve_production

        return serve_production()
    _django()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    from equipoise.demo.people import demo_password
    from equipoise.web.public import public_protocol_ids

    pages = ", ".join(reverse("public-trial", args=[p]) for p in public_protocol_ids()) or "none"
    print(f"\nEquipoise on http://{args.host}:{args.port}/  (public pages: {pages})")
    if settings.MODE == "demo":
        print(f"Demo password: {demo_password()} (logins listed above and in var/demo-logins.txt)\n", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, insecure_serving=True)
    return 0


def worker_command(args: argparse.Namespace) -> int:
    _django()
    from equipoise.operations.worker import run

    return run(args.interval, once=args.once)


def backup_command(args: argparse.Namespace) -> int:
    _django()
    from pathlib import Path

    from equipoise.operations.backup import BackupError, backup

    try:
        made = backup(Path(args.dest))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = made.manifest
    print(f"{made.path} ({m['bytes']} bytes, SHA-256 {m['sha256']})")
    print(f"manifest: {made.path.name}.manifest.json; audit: {m['audit_verification']['report']}; "
          f"head event {m['audit_head']['sequence']}; protocol versions: "
          + (", ".join(f"{v['protocol']} v{v['version']}" for v in m["protocol_versions"]) or "none"))
    return 0 if m["audit_verification"]["intact"] else 1


def restore_command(args: argparse.Namespace) -> int:
    _django()
    from pathlib import Path

    from equipoise.operations.restore import RestoreRefused, restore

    try:
        check = restore(Path(args.src), replace=args.replace)
    except RestoreRefused as exc:
        print(f"Restore refused: {exc}", file=sys.stderr)
        return 1
    print("\n".join(check.lines))
    print("restored")
    return 0


def audit_verify_command(args: argparse.Namespace) -> int:
    _django()
    from equipoise.records.audit import verify_ledger

    report = verify_ledger()
    print(report, file=sys.stdout if report.intact else sys.stderr)
    return 0 if report.intact else 1
