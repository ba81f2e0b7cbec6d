"""Build and inspect the trial database a live server runs on (a separate process, by design).

    python live_trial.py setup N     migrate; sites TNN and SLS; an investigator and a statistician;
                                     N eligible subjects at TNN without SLE; a committed list loaded
    python live_trial.py report      the allocations, as JSON, for the test to check

The database comes from the environment exactly as the server's does (EQUIPOISE_VAR for SQLite,
DATABASE_URL for PostgreSQL), so both processes see the same data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys

PASSWORD = "correct-horse-battery"


def setup(n: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from equipoise.allocation.actions.lists import load_list
    from equipoise.allocation.rehearsal import committed_list, eligible_subject
    from equipoise.records.actor import Actor
    from equipoise.records.models import Membership, Site
    from equipoise.records.protocol_versions import (
        default_protocol_dir,
        protocol_of,
        store_protocol_version,
    )
    from equipoise.records.roles import Role

    call_command("migrate", interactive=False, verbosity=0)
    version, _ = store_protocol_version(default_protocol_dir("nct06965244"))
    tnn = Site.objects.create(code="TNN", name="Tenon", city="Paris")
    Site.objects.create(code="SLS", name="Saint-Louis", city="Paris")
    User = get_user_model()
    inv = User.objects.create_user(username="inv_a", password=PASSWORD)
    Membership.objects.create(user=inv, site=tnn, role=Role.INVESTIGATOR.value)
    stat = User.objects.create_user(username="stat", password=PASSWORD)
    Membership.objects.create(user=stat, site=None, role=Role.STATISTICIAN.value)
    actor = Actor(user=inv, role=Role.INVESTIGATOR.value, site_code="TNN", request_id="live-setup")
    rng = random.Random(11)
    codes = [eligible_subject(actor, tnn, "nct06965244", rng, dt.date(2026, 1, 5), sle_associated=False).code
             for _ in range(n)]
    data, sha, report = committed_list(protocol_of(version), "live-seed", n + 10)
    load_list(Actor(user=stat, role=Role.STATISTICIAN.value, request_id="live-setup"), "nct06965244",
              data, sha, report)
    return {"subjects": codes}


def report() -> dict:
    from equipoise.allocation.checks import verify_stored_lists
    from equipoise.allocation.models import Allocation, ListSlot
    from equipoise.records.models import EligibilityAssessment

    return {
        "allocations": [
            {"subject": a.subject.code, "stratum": a.slot.stratum, "position": a.slot.position,
             "number": a.number, "arm": a.arm, "slot_subject": a.slot.subject.code if a.slot.subject else None}
            for a in Allocation.objects.select_related("subject", "slot__subject").order_by("id")
        ],
        "list_arms": {s: list(ListSlot.objects.filter(stratum=s).order_by("position").values_list("arm", flat=True))
                      for s in ListSlot.objects.values_list("stratum", flat=True).distinct()},
        "used_slots": ListSlot.objects.filter(used_at__isnull=False).count(),
        "assessments": EligibilityAssessment.objects.filter(stage="randomization").count(),
        "stored_list_problems": verify_stored_lists(),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equipoise.settings_test")
    import django

    django.setup()
    command = sys.argv[1]
    out = setup(int(sys.argv[2])) if command == "setup" else report()
    print(json.dumps(out))
