"""`equipoise demo`: load the protocol, create sites, users and subjects at several stages.

Idempotent: sites and users are found or created; subjects are created only until each site has
its demo quota, so running it twice duplicates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from equipoise.demo.people import ensure_sites, ensure_users
from equipoise.demo.screening_records import eligible_record, failing_record
from equipoise.records.actions.eligibility import assess_eligibility
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.actor import Actor
from equipoise.records.models import Subject
from equipoise.records.protocol_versions import (
    default_protocol_dir,
    protocol_of,
    store_protocol_version,
)
from equipoise.records.roles import Role

PROTOCOL_ID = "nct06965244"
SUBJECTS_PER_SITE = 16
# Stage of each demo subject at a site, in creation order.
STAGES = ["in_screening"] * 3 + ["screen_failed"] * 4 + ["eligible"] * 9
FAILURE_SETS = [["IN05"], ["EX01"], ["EX02", "EX06"], ["IN06"], ["EX07"], ["EX08"], ["IN05", "EX01"]]


def seed_demo(today: dt.date, progress: Callable[[str], None] = print) -> dict[str, int]:
    version, _ = store_protocol_version(default_protocol_dir(PROTOCOL_ID))
    protocol = protocol_of(version)
    sites = ensure_sites(protocol)
    users = ensure_users(sites)
    rng = random.Random(20251001)
    created = 0
    for site_index, (code, site) in enumerate(sorted(sites.items())):
        actor = Actor(user=users[f"investigator.{code.lower()}"], role=Role.INVESTIGATOR.value, site_code=code,
                      request_id="demo-seed")
        existing = Subject.objects.filter(site=site).count()
        for index in range(existing, SUBJECTS_PER_SITE):
            stage = STAGES[index]
            screening_date = today - dt.timedelta(days=200 - 10 * index - 3 * site_index)
            subject = create_subject(actor, site, PROTOCOL_ID)
            visit = subject.visits.get(visit_id="SCR")
            if stage == "screen_failed":
                record = failing_record(rng, screening_date, FAILURE_SETS[index % len(FAILURE_SETS)])
            else:
                record = eligible_record(rng, screening_date)
            if stage == "in_screening":
                for key in ("creatinine_clearance_ml_min", "neutrophils_g_l", "platelets_g_l", "alt_x_uln", "ast_x_uln"):
                    record.pop(key)
            save_form(actor, subject, visit, "screening", record)
            assess_eligibility(actor, subject, "screening")
            created += 1
            progress(f"  {subject.code}: {stage.replace('_', ' ')}")
    return {"subjects_created": created, "subjects_total": Subject.objects.count()}
