"""Saving form records through the full write path, against a plain ORM insert of the same rows.

    .venv/bin/python benchmarks/form_save.py [--records 500]
    .venv/bin/python benchmarks/form_save.py --database postgres://postgres@127.0.0.1:5432/equipoise

In one run, on a throwaway database: N labs forms saved with `save_form` (validation from the
form definition, edit checks, derived values, the revision row and the hash-chained audit event,
all in one transaction), then the same N records inserted with a plain `FormRecord.objects.create`
each in its own transaction. Prints both rates and the ratio (target: write path <= 2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

from throwaway_database import throwaway_database


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=500)
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    return p.parse_args()


def lab_values(rng: random.Random) -> dict:
    return {"lab_date": "2026-01-05", "lab_neutrophils_g_l": round(rng.uniform(1, 6), 1),
            "lab_platelets_g_l": rng.randint(60, 400), "lab_creatinine_clearance_ml_min": rng.randint(40, 120),
            "lab_alt_x_uln": round(rng.uniform(0.3, 2), 1), "lab_ast_x_uln": round(rng.uniform(0.3, 2), 1)}


def main() -> int:
    args = parse_args()
    with throwaway_database(args.database):
        from django.contrib.auth import get_user_model
        from django.db import connection, transaction
        from django.utils import timezone

        from equipoise.records.actions.forms import save_form
        from equipoise.records.actions.subjects import create_subject
        from equipoise.records.actor import Actor
        from equipoise.records.models import FormRecord, Membership, Site, Visit
        from equipoise.records.protocol_versions import (
            current_version,
            default_protocol_dir,
            store_protocol_version,
        )
        from equipoise.records.roles import Role

        store_protocol_version(default_protocol_dir("nct06965244"))
        site = Site.objects.create(code="TNN", name="Tenon", city="Paris")
        user = get_user_model().objects.create_user(username="inv")
        Membership.objects.create(user=user, site=site, role=Role.INVESTIGATOR.value)
        actor = Actor(user=user, role=Role.INVESTIGATOR.value, site_code="TNN", request_id="bench")
        subject = create_subject(actor, site, "nct06965244")
        print(f"database: {connection.vendor}; preparing {2 * args.records} unscheduled visits...", file=sys.stderr)
        # Each record needs its own visit (one labs form per visit).
        day = dt.date(2026, 1, 5)
        visits = [Visit.objects.create(subject=subject, visit_id="U", scheduled=False, sequence=100 + i,
                                       target_date=day) for i in range(2 * args.records)]
        rng = random.Random(11)
        values = [lab_values(rng) for _ in range(args.records)]

        start = time.perf_counter()
        for visit, data in zip(visits[: args.records], values, strict=True):
            save_form(actor, subject, visit, "labs", data)
        service = time.perf_counter() - start

        version = current_version("nct06965244")
        start = time.perf_counter()
        for visit, data in zip(visits[args.records:], values, strict=True):
            with transaction.atomic():
                FormRecord.objects.create(subject=subject, visit=visit, form_id="labs", data=data, revision=1,
                                          protocol_version=version, updated_at=timezone.now())
        plain = time.perf_counter() - start

        assert FormRecord.objects.count() == 2 * args.records
        ratio = service / plain
        print(f"database: {connection.vendor}, {args.records} records each way")
        print(f"write path  save_form (validate, derive, revision, audit chain)  {args.records / service:8.1f} records/s")
        print(f"baseline    FormRecord.objects.create in a transaction           {args.records / plain:8.1f} records/s")
        print(f"ratio       write path / plain insert  {ratio:5.2f}x   (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
