"""Demo sites and users. Passwords are random per installation, kept in var/, never in the repository."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from equipoise.protocol.schema import Protocol
from equipoise.records.models import Membership, Site
from equipoise.records.roles import Role

# (username, role, site code or None for sponsor level)
DEMO_USERS = [
    ("investigator.tnn", Role.INVESTIGATOR, "TNN"),
    ("assessor.tnn", Role.BLINDED_ASSESSOR, "TNN"),
    ("pharmacist.tnn", Role.PHARMACIST, "TNN"),
    ("investigator.sls", Role.INVESTIGATOR, "SLS"),
    ("assessor.sls", Role.BLINDED_ASSESSOR, "SLS"),
    ("pharmacist.sls", Role.PHARMACIST, "SLS"),
    ("datamanager", Role.DATA_MANAGER, None),
    ("monitor", Role.MONITOR, None),
    ("statistician", Role.STATISTICIAN, None),
    ("sponsor", Role.SPONSOR_ADMIN, None),
]


# Printed names, as an electronic signature shows them (demonstration people, not real ones).
DEMO_NAMES = {
    "investigator.tnn": ("Anne", "Leroy"), "investigator.sls": ("Marc", "Garnier"),
    "assessor.tnn": ("Julie", "Morel"), "assessor.sls": ("Hugo", "Fabre"),
    "pharmacist.tnn": ("Nadia", "Benali"), "pharmacist.sls": ("Louis", "Perrin"),
}


def _password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def demo_password() -> str:
    """One random password shared by the demo accounts of this installation."""
    path = _password_file()
    if path.exists():
        return path.read_text().split("password: ", 1)[1].splitlines()[0].strip()
    password = "demo-" + secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"password: {password}", ""] + [f"{u:20} {r.value:18} {s or 'all sites'}" for u, r, s in DEMO_USERS]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return password


def ensure_sites(protocol: Protocol) -> dict[str, Site]:
    sites = {}
    for s in protocol.registry.sites:
        site, _ = Site.objects.get_or_create(code=s.code, defaults={"name": s.name, "city": s.city})
        sites[s.code] = site
    return sites


def ensure_users(sites: dict[str, Site]) -> dict[str, User]:
    password = demo_password()
    users = {}
    with transaction.atomic():
        for username, role, site_code in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                first, last = DEMO_NAMES.get(username, ("", ""))
                user = User.objects.create_user(username=username, password=password, first_name=first,
                                                last_name=last)
            Membership.objects.get_or_create(user=user, site=sites[site_code] if site_code else None, role=role.value)
            users[username] = user
    return users
