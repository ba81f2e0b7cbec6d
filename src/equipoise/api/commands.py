"""`equipoise api token create USERNAME [--label L]`: make an API token and print it once.

Only the token's SHA-256 is stored, so this is the one moment it can be copied. Exit codes:
0 created; 2 unknown or inactive user, or a bad label (the message on stderr says which).
"""

from __future__ import annotations

import argparse
import sys

from equipoise.cli import command_group


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "api", help="JSON API administration")
    token_sub = command_group(sub, "token", help="API tokens")
    create = token_sub.add_parser("create", help="create a token for a user and print it once")
    create.add_argument("username", metavar="USERNAME")
    create.add_argument("--label", default="api", help="what the token is for (default: api)")
    create.set_defaults(func=token_create_command)


def token_create_command(args: argparse.Namespace) -> int:
    from equipoise.django_setup import setup

    setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from equipoise.records.actions.api_tokens import create_token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None or not user.is_active:
        print(f"error: USERNAME {args.username!r} is not an active user", file=sys.stderr)
        return 2
    try:
        token = create_token(user, args.label, timezone.now(), request_id="cli")
    except ValueError as exc:
        print(f"error: --label: {exc}", file=sys.stderr)
        return 2
    print(token)
    print(f"API token for {user.get_username()} (label {args.label.strip()!r}). It is shown only now; "
          "store it safely.", file=sys.stderr)
    return 0
