"""Exports at 1,000 and 10,000 subjects: time and peak memory, against plain json.dumps of the same rows.

    .venv/bin/python benchmarks/exports.py [--sizes 1000,10000]
    .venv/bin/python benchmarks/exports.py --database postgres://postgres@127.0.0.1:5432/equipoise

On a throwaway database grown to each size in turn (subjects at two sites, each with four visits
done and 19 form records, one in five with a lab value corrected with a reason, so about 20
revisions per subject), every export runs in a fresh child process that reports its wall time
and its peak resident memory (`ru_maxrss`):

- ODM transactional (every revision, each value with its audit record), ODM snapshot (values at
  the cut-off, derived scores recomputed), the SDTM domains as Dataset-JSON (all domains, arms
  masked) and as CSV + data dictionary;
- the baseline: the same rows the export reads (every revision for the transactional file, the
  revisions in force for the others), fetched by the same chunked queries and written one
  `json.dumps` per row, in a fresh child process too.

Prints, per size, each export's CPU time (the child's user + system time: on a machine shared
with other work, wall time mostly measures the wait for a core; with SQLite the database work is
in the child too, with PostgreSQL the server's share is not counted), its wall time and its peak
resident memory (VmHWM), with ratios to the baseline measured in the same run; then the 10k/1k
peak-memory ratio of each export. Targets: memory flat (10k/1k under 1.5) and CPU time within 3x
of the baseline. `--xpt` adds SAS XPORT (all domains, written in chunks through pyreadstat).

The database is filled with bulk inserts (a fixture, not trial data entry: the write path has its
own benchmark, form_save.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway_database import throwaway_database

HERE = Path(__file__).resolve().parent
EXPORTS = ("baseline-revisions", "odm-transactional", "baseline-in-force", "odm-snapshot", "datasets-json",
           "datasets-csv", "datasets-xpt")
DEFAULT = tuple(e for e in EXPORTS if e != "datasets-xpt")
BASELINE_OF = {"odm-transactional": "baseline-revisions", "odm-snapshot": "baseline-in-force",
               "datasets-json": "baseline-in-force", "datasets-csv": "baseline-in-force",
               "datasets-xpt": "baseline-in-force"}
VISITS = {"SCR": ["screening", "clasi", "labs"],
          "W0": ["clasi", "pain_itch_nrs", "physician_global", "dlqi", "steroid_dose", "labs"],
          "W4": ["clasi", "pain_itch_nrs", "physician_global", "steroid_dose", "labs"],
          "W8": ["clasi", "pain_itch_nrs", "physician_global", "steroid_dose", "labs"]}
CORRECTION = "Transcription error corrected against the laboratory report"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated subject counts, ascending")
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    p.add_argument("--xpt", action="store_true", help="also time SAS XPORT")
    p.add_argument("--child", choices=EXPORTS, help=argparse.SUPPRESS)
    p.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    return p.parse_args()


# --- growing the database ------------------------------------------------------------------


def form_data(form_id: str, rng: random.Random, day: dt.date, code: str) -> dict:
    from equipoise.demo.clasi_records import clasi_form

    if form_id == "screening":
        return {"screening_date": day.isoformat(), "consent_signed": True, "consent_date": day.isoformat(),
                "social_security_affiliated": True, "age_years": rng.randint(18, 80),
                "sex": rng.choice(["female", "male"]), "cle_histology_confirmed": True}
    if form_id == "clasi":
        return clasi_form(rng, rng.randint(8, 30), rng.randint(0, 10**6), day, "assessor")
    if form_id == "labs":
        return {"lab_date": day.isoformat(), "lab_neutrophils_g_l": round(rng.uniform(1.2, 5.5), 1),
                "lab_platelets_g_l": rng.randint(90, 380), "lab_creatinine_clearance_ml_min": rng.randint(55, 120),
                "lab_alt_x_uln": round(rng.uniform(0.4, 1.8), 1), "lab_ast_x_uln": round(rng.uniform(0.4, 1.6), 1)}
    if form_id == "pain_itch_nrs":
        return {"pain_nrs": rng.randint(0, 10), "itch_nrs": rng.randint(0, 10)}
    if form_id == "physician_global":
        return {"physician_global": rng.randint(0, 3)}
    if form_id == "dlqi":
        return {f"dlqi_q{i}": rng.randint(0, 3) for i in range(1, 11)}
    if form_id == "steroid_dose":
        return {"prednisone_equivalent_mg_day": rng.choice([0, 5, 7.5, 10]), "rescue_systemic_therapy": False}
    raise ValueError(form_id)


def grow_to(size: int, rng: random.Random) -> None:
    """Add subjects (with visits, forms and corrections) until the database holds `size`."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from equipoise.records.derived_values import derive_all
    from equipoise.records.models import FormRecord, FormRevision, Membership, Site, Subject, Visit
    from equipoise.records.protocol_versions import (
        current_version,
        protocol_of,
        store_protocol_version,
    )
    from equipoise.records.roles import Role

    if not Site.objects.exists():
        store_protocol_version(Path(os.environ["EQUIPOISE_PROTOCOLS"]) / "nct06965244")
        User = get_user_model()
        for code, name in (("TNN", "Tenon"), ("SLS", "Saint-Louis")):
            site = Site.objects.create(code=code, name=name, city="Paris")
            for role in (Role.INVESTIGATOR, Role.BLINDED_ASSESSOR):
                user = User.objects.create_user(username=f"{role.value}.{code.lower()}")
                Membership.objects.create(user=user, site=site, role=role.value)
        Membership.objects.create(user=User.objects.create_user(username="datamanager"), site=None,
                                  role=Role.DATA_MANAGER.value)
    version = current_version("nct06965244")
    forms = {f.id: f for f in protocol_of(version).forms}
    sites = list(Site.objects.order_by("code"))
    users = {u.username: u for u in get_user_model().objects.all()}
    start = Subject.objects.count()
    now = timezone.now()
    batch = 500
    for first in range(start, size, batch):
        with transaction.atomic():
            subjects = []
            for n in range(first, min(first + batch, size)):
                site = sites[n % 2]
                subjects.append(Subject(code=f"{site.code}-{n + 1:05d}", site=site, protocol_id="nct06965244",
                                        status="randomized", created_at=now))
            Subject.objects.bulk_create(subjects)
            visits = []
            for s in subjects:
                day0 = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
                for seq, visit_id in enumerate(VISITS):
                    offset = {"SCR": -14, "W0": 0, "W4": 28, "W8": 56}[visit_id]
                    visits.append(Visit(subject=s, visit_id=visit_id, sequence=seq, done_date=day0 + dt.timedelta(offset),
                                        target_date=day0 + dt.timedelta(offset)))
            Visit.objects.bulk_create(visits)
            records, revisions = [], []
            for v in visits:
                for form_id in VISITS[v.visit_id]:
                    data = form_data(form_id, rng, v.done_date, v.subject.code)
                    records.append(FormRecord(subject=v.subject, visit=v, form_id=form_id, data=data,
                                              derived=derive_all(forms[form_id], data), revision=1,
                                              protocol_version=version, updated_at=now))
            FormRecord.objects.bulk_create(records)
            for r in records:
                author = users[f"{'blinded_assessor' if r.form_id in ('clasi', 'physician_global') else 'investigator'}"
                               f".{r.subject.site.code.lower()}"]
                revisions.append(FormRevision(record=r, revision=1, data=r.data, changes={}, reason="", user=author,
                                              at=now, protocol_version=version))
                if r.form_id == "labs" and r.visit.visit_id == "W4" and rng.random() < 0.2:
                    corrected = {**r.data, "lab_platelets_g_l": r.data["lab_platelets_g_l"] + 10}  # labs derive nothing
                    revisions.append(FormRevision(record=r, revision=2, data=corrected, changes={}, reason=CORRECTION,
                                                  user=author, at=now, protocol_version=version))
                    r.data, r.revision = corrected, 2
            FormRevision.objects.bulk_create(revisions)
            FormRecord.objects.bulk_update([r for r in records if r.revision == 2], ["data", "revision"])


# --- one export, in a child process ----------------------------------------------------------


def _baseline(kind: str, output: Path) -> None:
    from equipoise.exports.reading import CHUNK, Cutoff, latest_revisions
    from equipoise.records.models import FormRevision

    fields = ("id", "record_id", "revision", "data", "reason", "at", "user__username", "record__form_id",
              "record__subject__code", "record__subject__site__code", "record__visit__visit_id",
              "record__visit__scheduled", "record__visit__attempt")
    order = ("record__subject__code", "record__visit__sequence", "record__visit_id", "record__form_id", "revision")
    if kind == "baseline-revisions":
        query = FormRevision.objects.all()
    else:  # the snapshot and the datasets also read each record's current revision and derived scores
        query = latest_revisions("nct06965244", Cutoff.at(None))
        fields += ("record__revision", "record__derived")
    with output.open("w", encoding="utf-8") as out:
        for row in query.order_by(*order).values_list(*fields).iterator(chunk_size=CHUNK):
            out.write(json.dumps(row, default=str))
            out.write("\n")


def run_child(kind: str, output: Path) -> None:
    import django

    django.setup()
    from equipoise.exports.datasets_export import write_datasets
    from equipoise.exports.odm_export import write_odm
    from equipoise.exports.reading import Cutoff
    from equipoise.interchange.sdtm import ArmMode
    from equipoise.records.access import Rights
    from equipoise.records.roles import Role

    rights = Rights(frozenset({Role.DATA_MANAGER}))
    setup = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = setup.ru_utime + setup.ru_stime
    started = time.perf_counter()
    if kind.startswith("baseline"):
        _baseline(kind, output)
    elif kind.startswith("odm"):
        with output.open("wb") as out:
            write_odm(out, "nct06965244", "Transactional" if kind == "odm-transactional" else "Snapshot",
                      Cutoff.at(None), rights=rights)
    else:
        write_datasets(output, "nct06965244", Cutoff.at(None), ArmMode.MASKED, rights=rights,
                       formats=[kind.split("-")[1]])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    size = output.stat().st_size if output.is_file() else sum(p.stat().st_size for p in output.iterdir())
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu_before,
                      "peak_kb": peak_rss_kb(), "bytes": size}))


def peak_rss_kb() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent across fork and exec, so a child would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(kind: str, work: Path) -> dict:
    output = work / kind
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--output", str(output)],
                          env=os.environ.copy(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    args = parse_args()
    if args.child:
        run_child(args.child, args.output)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = EXPORTS if args.xpt else DEFAULT
    rng = random.Random(20261129)
    results: dict[int, dict[str, dict]] = {}
    with throwaway_database(args.database):
        from equipoise.records.models import FormRecord, FormRevision

        print(f"database: {'PostgreSQL' if args.database else 'SQLite'}; each export in a fresh child process")
        for size in sizes:
            started = time.perf_counter()
            grow_to(size, rng)
            print(f"\n{size} subjects: {FormRecord.objects.count()} form records, {FormRevision.objects.count()} "
                  f"revisions ({FormRevision.objects.exclude(reason='').count()} changes with a reason); "
                  f"grown in {time.perf_counter() - started:.0f} s")
            with tempfile.TemporaryDirectory(prefix="equipoise-export-bench-") as work:
                results[size] = {kind: measure(kind, Path(work)) for kind in kinds}
            for kind in kinds:
                r = results[size][kind]
                line = (f"  {kind:20} cpu {r['cpu']:7.2f} s  wall {r['seconds']:7.2f} s  peak {r['peak_kb'] / 1024:6.1f} MiB"
                        f"  {r['bytes'] / 2**20:7.1f} MiB written")
                if kind in BASELINE_OF:
                    b = results[size][BASELINE_OF[kind]]
                    line += (f"  cpu {r['cpu'] / b['cpu']:.2f}x baseline, "
                             f"peak memory {r['peak_kb'] / b['peak_kb']:.2f}x baseline")
                print(line, flush=True)
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            print(f"\npeak memory {large}/{small} (target under 1.5):")
            for kind in kinds:
                ratio = results[large][kind]["peak_kb"] / results[small][kind]["peak_kb"]
                print(f"  {kind:20} {ratio:.2f} {'(met)' if ratio < 1.5 else '(not met)'}")
        large = sizes[-1]
        print(f"CPU time against the baseline at {large} subjects (target within 3x):")
        for kind in kinds:
            if kind in BASELINE_OF:
                ratio = results[large][kind]["cpu"] / results[large][BASELINE_OF[kind]]["cpu"]
                print(f"  {kind:20} {ratio:.2f}x {'(met)' if ratio <= 3 else '(not met)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
