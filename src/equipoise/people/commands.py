"""`equipoise admin create-sponsor-admin`, `equipoise site ...` and `equipoise user ...`: the same
actions as the administration pages, for scripted set-up. Changes name the acting sponsor
administrator with `--as USERNAME`; the first one is created by `admin create-sponsor-admin`."""

from __future__ import annotations

import argparse
import getpass
import sys

from equipoise.cli import command_group


def _fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    admin = command_group(subparsers, "admin", help="administration of the installation")
    first = admin.add_parser("create-sponsor-admin", help="invite the first sponsor administrator")
    first.add_argument("username")
    first.add_argument("--email", required=True)
    first.add_argument("--first-name", required=True)
    first.add_argument("--last-name", required=True)
    first.add_argument("--base-url", default="http://127.0.0.1:8000", help="address of the site, for the link")
    first.set_defaults(func=create_sponsor_admin_command)

    site = command_group(subparsers, "site", help="sites of the trial")
    add = site.add_parser("add", help="add a site (not yet open for recruitment)")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--city", required=True)
    add.add_argument("--principal-investigator", required=True)
    add.set_defaults(func=site_command, change="add")
    for change, text in (("open", "open a site for recruitment"), ("close", "close a site to recruitment")):
        one = site.add_parser(change, help=text)
        one.add_argument("code")
        one.add_argument("--reason", default="")
        one.set_defaults(func=site_command, change=change)
    listing = site.add_parser("list", help="list the sites")
    listing.set_defaults(func=site_list_command)
    for parser in (add, *[site.choices[c] for c in ("open", "close")]):
        parser.add_argument("--as", dest="acting", required=True, help="the sponsor administrator acting")

    user = command_group(subparsers, "user", help="accounts and roles")
    invite = user.add_parser("invite", help="invite a person with one or more roles")
    invite.add_argument("username")
    invite.add_argument("--email", required=True)
    invite.add_argument("--first-name", required=True)
    invite.add_argument("--last-name", required=True)
    invite.add_argument("--role", action="append", required=True, metavar="ROLE[@SITE]",
                        help="e.g. investigator@TNN, monitor (repeatable)")
    invite.add_argument("--base-url", default="http://127.0.0.1:8000")
    invite.set_defaults(func=user_command, change="invite")
    for change in ("grant", "revoke"):
        one = user.add_parser(change, help=f"{change} a role")
        one.add_argument("username")
        one.add_argument("role", metavar="ROLE[@SITE]")
        one.set_defaults(func=user_command, change=change)
    for change, text in (("deactivate", "deactivate an account (ends its sessions and API tokens)"),
                         ("reactivate", "reactivate an account"),
                         ("end-sessions", "end every session and API token of an account")):
        one = user.add_parser(change, help=text)
        one.add_argument("username")
        one.add_argument("--reason", required=change != "end-sessions", default="")
        one.set_defaults(func=user_command, change=change)
    for name in ("invite", "grant", "revoke", "deactivate", "reactivate", "end-sessions"):
        user.choices[name].add_argument("--as", dest="acting", required=True,
                                        help="the sponsor administrator acting")
    listing = user.add_parser("list", help="list the accounts and their roles")
    listing.set_defaults(func=user_list_command)


def _setup() -> None:
    from equipoise.django_setup import setup

    setup()


def _role(text: str) -> tuple[str, str | None]:
    role, _, site = text.partition("@")
    return role.strip(), site.strip() or None


def _link(base_url: str):
    return lambda token: f"{base_url.rstrip('/')}/account/invitation/{token}/"


def _acting(username: str):
    from django.contrib.auth import get_user_model

    from equipoise.people.authority import admin_actor

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"--as: no account {username!r}")
    return admin_actor(user, "cli")


def create_sponsor_admin_command(args: argparse.Namespace) -> int:
    _setup()
    from equipoise.people.actions.accounts import create_first_sponsor_admin
    from equipoise.records.actions.errors import ActionRefused

    try:
        user, link = create_first_sponsor_admin(args.username, args.email, args.first_name, args.last_name,
                                                _link(args.base_url), getpass.getuser())
    except ActionRefused as exc:
        return _fail(str(exc))
    print(f"sponsor administrator {user.get_username()} invited; the link (valid 72 hours, usable once):")
    print(link)
    return 0


def site_command(args: argparse.Namespace) -> int:
    _setup()
    from equipoise.people.actions import sites
    from equipoise.records.actions.errors import ActionRefused

    try:
        actor = _acting(args.acting)
        if args.change == "add":
            site = sites.add_site(actor, args.code, args.name, args.city, args.principal_investigator)
        else:
            site = {"open": sites.open_site, "close": sites.close_site}[args.change](actor, args.code, args.reason)
    except (ActionRefused, LookupError) as exc:
        return _fail(str(exc))
    print(f"site {site.code}: {site.recruitment}")
    return 0


def site_list_command(args: argparse.Namespace) -> int:
    _setup()
    from equipoise.records.models import Site

    for site in Site.objects.order_by("code"):
        print(f"{site.code:8} {site.recruitment:20} {site.city:20} {site.name} (PI: {site.principal_investigator or '-'})")
    return 0


def user_command(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth import get_user_model

    from equipoise.people.actions import accounts, sessions
    from equipoise.records.actions.errors import ActionRefused

    try:
        actor = _acting(args.acting)
        if args.change == "invite":
            _user, link = accounts.invite(actor, args.username, args.email, args.first_name, args.last_name,
                                          [_role(r) for r in args.role], _link(args.base_url))
            print(f"invitation sent to {args.email}; the link (valid 72 hours, usable once):\n{link}")
        elif args.change in ("grant", "revoke"):
            role, site = _role(args.role)
            (accounts.grant_role if args.change == "grant" else accounts.revoke_role)(actor, args.username, role, site)
            print(f"{args.username}: {args.change} {args.role}")
        elif args.change == "deactivate":
            accounts.deactivate(actor, args.username, args.reason)
            print(f"{args.username} deactivated; sessions and API tokens ended")
        elif args.change == "reactivate":
            accounts.reactivate(actor, args.username, args.reason)
            print(f"{args.username} reactivated")
        else:
            target = get_user_model().objects.filter(username=args.username).first()
            if target is None:
                return _fail(f"no account {args.username!r}")
            sessions.end_all_sessions_and_tokens(actor, target, reason=args.reason or "ended from the command line")
            print(f"{args.username}: every session and API token ended")
    except (ActionRefused, LookupError) as exc:
        return _fail(str(exc))
    return 0


def user_list_command(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.order_by("username").prefetch_related("memberships__site"):
        state = "active" if user.is_active else ("deactivated" if user.has_usable_password() else "invited")
        roles = ", ".join(f"{m.role}@{m.site.code}" if m.site else m.role for m in user.memberships.all())
        print(f"{user.get_username():24} {state:12} {roles}")
    return 0
