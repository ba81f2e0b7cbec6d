"""Saving form records through the full write path, against a plain ORM insert of the same rows.

    .venv/bin/python benchmarks/form_save.py [--records 500]
    .venv/bin/python benchmarks/form_save.py --database postgres://postgres@127.0.0.1:5432/equipoise

In one run, on a throwaway database: N labs forms saved with `save_form` (validation from the
form definition, edit checks, derived values, the revision row and the hash-chained audit event,
all in one transaction), and the same N records inserted with a plain `FormRecord.objects.create`
each in its own transaction, the two alternating in blocks of 25 records. Prints both rates
(from the median time per record) and the ratio of the medians (target: write path <= 2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
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


BLOCK = 25


def rate(times: list[float]) -> str:
    """Records per second from the median time, with the mean for comparison."""
    return (f"{1 / statistics.median(times):8.1f} records/s (median {statistics.median(times) * 1e3:.2f} ms, "
            f"mean {statistics.mean(times) * 1e3:.2f} ms)")


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
        version = current_version("nct06965244")

        def through_write_path(visit, data) -> float:
            start = time.perf_counter()
            save_form(actor, subject, visit, "labs", data)
            return time.perf_counter() - start

        def plain_insert(visit, data) -> float:
            start = time.perf_counter()
            with transaction.atomic():
                FormRecord.objects.create(subject=subject, visit=visit, form_id="labs", data=data, revision=1,
                                          protocol_version=version, updated_at=timezone.now())
            return time.perf_counter() - start

        # Alternate the two in blocks so that drift on a noisy machine (and the table growing)
        # falls on both alike; the first block of each warms caches and is not counted.
        service, plain = [], []
        for first in range(0, args.records, BLOCK):
            block = range(first, min(first + BLOCK, args.records))
            s = [through_write_path(visits[i], values[i]) for i in block]
            p = [plain_insert(visits[args.records + i], values[i]) for i in block]
            if first > 0:
                service += s
                plain += p

        assert FormRecord.objects.count() == 2 * args.records
        ratio = statistics.median(service) / statistics.median(plain)
        print(f"database: {connection.vendor}, {args.records} records each way ({len(service)} timed, "
              f"alternating in blocks of {BLOCK})")
        print(f"write path  save_form (validate, derive, revision, audit chain)  {rate(service)}")
        print(f"baseline    FormRecord.objects.create in a transaction           {rate(plain)}")
        print(f"ratio       write path / plain insert (medians)  {ratio:5.2f}x   "
              f"(target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
