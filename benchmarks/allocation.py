"""Allocation latency through the service, against a bare one-row update on the same database.

    .venv/bin/python benchmarks/allocation.py                       # SQLite in a temporary directory
    .venv/bin/python benchmarks/allocation.py --database postgres://postgres@127.0.0.1:5432/equipoise

Builds its own throwaway database (a temporary EQUIPOISE_VAR for SQLite; a fresh database named
equipoise_bench_<random> on the PostgreSQL server of --database/DATABASE_URL, dropped at the end),
so it never touches real data. Prints, in one run:

- the baseline: a transaction that updates one row (median and p95, milliseconds);
- `randomize_subject` end to end (consent and status checks, eligibility at randomization
  evaluated and stored with its bilingual evidence, the locked slot, the site's allocation count,
  the ledger row, the visit schedule, two audit events, all in one transaction: 15 statements on
  SQLite, 10 on PostgreSQL, where the independent writes go together);
- the eligibility assessment alone (its own transaction), and the verdict with its evidence
  computed without the database, to show where the time goes;
- the ratio of the medians (target <= 3x), and the allocation rate with 20 concurrent clients
  (threads, each with its own database connection) against one client.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time

from throwaway_database import throwaway_database


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", ""),
                   help="PostgreSQL URL whose server gets a throwaway database (default: SQLite)")
    p.add_argument("--subjects", type=int, default=150, help="sequential allocations timed (default 150)")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--per-client", type=int, default=10, help="allocations per concurrent client (default 10)")
    return p.parse_args()


def build_trial(n_subjects: int):
    """Migrate, then sites, people, eligible subjects and a loaded list, through the actions."""
    from django.contrib.auth import get_user_model

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

    version, _ = store_protocol_version(default_protocol_dir("nct06965244"))
    sites = [Site.objects.create(code=c, name=c, city="Paris") for c in ("TNN", "SLS")]
    User = get_user_model()
    stat = User.objects.create_user(username="stat")
    Membership.objects.create(user=stat, role=Role.STATISTICIAN.value)
    actors = {}
    for site in sites:
        inv = User.objects.create_user(username=f"inv_{site.code}")
        Membership.objects.create(user=inv, site=site, role=Role.INVESTIGATOR.value)
        actors[site.code] = Actor(user=inv, role=Role.INVESTIGATOR.value, site_code=site.code, request_id="bench")
    rng = random.Random(3)
    subjects = []
    for i in range(n_subjects):
        site = sites[i % 2]
        subjects.append((actors[site.code], eligible_subject(
            actors[site.code], site, "nct06965244", rng, dt.date(2026, 1, 5), sle_associated=rng.random() < 0.4)))
    data, sha, report = committed_list(protocol_of(version), "bench-seed", n_subjects)
    load_list(Actor(user=stat, role=Role.STATISTICIAN.value, request_id="bench"), "nct06965244", data, sha, report)
    return subjects, sites[0]


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def bare_updates(site, n: int) -> list[float]:
    from django.db import transaction
    from django.db.models import F

    from equipoise.records.models import Site

    times = []
    for _ in range(n):
        start = time.perf_counter()
        with transaction.atomic():
            Site.objects.filter(pk=site.pk).update(subject_sequence=F("subject_sequence") + 0)
        times.append(time.perf_counter() - start)
    return times


def timed_allocations(pairs) -> list[float]:
    from equipoise.allocation.actions.randomize import randomize_subject

    times = []
    for actor, subject in pairs:
        start = time.perf_counter()
        _, created = randomize_subject(actor, subject)
        times.append(time.perf_counter() - start)
        assert created
    return times


def timed_assessments(pairs) -> list[float]:
    from equipoise.records.actions.eligibility import assess_eligibility

    times = []
    for actor, subject in pairs:
        start = time.perf_counter()
        assess_eligibility(actor, subject, "randomization")
        times.append(time.perf_counter() - start)
    return times


def timed_judgements(pairs) -> list[float]:
    """The eligibility verdict and its bilingual evidence alone: pure Python, no database."""
    from equipoise.records.actions.eligibility import judge_eligibility, screening_values
    from equipoise.records.protocol_versions import current_version, protocol_of

    version = current_version("nct06965244")
    protocol = protocol_of(version)
    times = []
    for actor, subject in pairs:
        values = screening_values(subject, protocol)
        start = time.perf_counter()
        judge_eligibility(actor, subject, "randomization", version, values)
        times.append(time.perf_counter() - start)
    return times


def concurrent_rate(pairs, clients: int) -> float:
    """Allocations per second with `clients` threads sharing the pairs out."""
    from django.db import connections

    from equipoise.allocation.actions.randomize import randomize_subject

    chunks = [pairs[i::clients] for i in range(clients)]
    gate = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(chunk) -> None:
        gate.wait()
        try:
            for actor, subject in chunk:
                randomize_subject(actor, subject)
        except BaseException as exc:  # reported below: a failed client invalidates the figure
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    gate.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return len(pairs) / elapsed


def main() -> int:
    args = parse_args()
    with throwaway_database(args.database):
        from django.db import connection

        from equipoise.allocation.models import Allocation, ListSlot

        concurrent_n = args.clients * args.per_client
        single_n = concurrent_n
        total = args.subjects * 2 + single_n + concurrent_n
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
              f"building {total} eligible subjects...", file=sys.stderr)
        pairs, site = build_trial(total)
        timed, assessed, single, concurrent = (
            pairs[: args.subjects], pairs[args.subjects: 2 * args.subjects],
            pairs[2 * args.subjects: 2 * args.subjects + single_n], pairs[2 * args.subjects + single_n:])
        bare_updates(site, 20)  # warm-up
        base = bare_updates(site, args.subjects)
        alloc = timed_allocations(timed)
        elig = timed_assessments(assessed)
        judged = timed_judgements(assessed)
        one_rate = len(single) / sum(timed_allocations(single))
        many_rate = concurrent_rate(concurrent, args.clients)
        used = ListSlot.objects.filter(used_at__isnull=False).count()
        assert used == Allocation.objects.count() == args.subjects + single_n + concurrent_n, "slots/ledger disagree"
        ratio = statistics.median(alloc) / statistics.median(base)
        print(f"database: {connection.vendor}")
        print(f"baseline  one-row update transaction      {ms(base)}   (n={len(base)})")
        print(f"service   randomize_subject               {ms(alloc)}   (n={len(alloc)})")
        print(f"part of   eligibility assessment alone    {ms(elig)}   (n={len(elig)})")
        print(f"  of which the verdict and its evidence   {ms(judged)}   (no database)")
        print(f"ratio     randomize / bare update (median) {ratio:6.1f}x   (target <= 3x: "
              f"{'met' if ratio <= 3 else 'NOT met'})")
        print(f"rate      1 client  {one_rate:7.1f} allocations/s")
        print(f"rate      {args.clients} clients {many_rate:7.1f} allocations/s   "
              f"({used} slots used, all distinct, ledger consistent)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
