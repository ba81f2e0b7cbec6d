"""Page latency under 50 concurrent users, with the trial grown to 1,000 then 10,000 subjects.

    .venv/bin/python benchmarks/web_load.py --database postgres://postgres@127.0.0.1:5432/equipoise_bench

Builds a throwaway PostgreSQL database on the server of --database (equipoise_bench_<random>,
dropped at the end; never real data), seeds the demo trial through the real actions (48 patients
at two sites, screened, randomized, followed, treated), then grows it by copying those patients
with `bulk_create` (new codes, every row that hangs off a patient copied with its foreign keys
remapped: visits, forms and their revisions, queries, eligibility assessments, allocations and
their list slots, prescriptions, dispensings, dose changes, adverse events...) to each size.
The copies carry no audit events of their own.

At each size it runs the production server (`equipoise serve --production`, gunicorn behind a
pretend TLS proxy on 127.0.0.1) and 50 simulated users (threads) for a bounded time: investigators,
pharmacists, a data manager, a monitor and a statistician, each reading the pages of their working
day and the investigators saving forms, with a think time between requests. Every request goes to
127.0.0.1 only; the run stops by itself.

A tenth of the requests open the login page, which renders a template and reads nothing: that
baseline, measured in the same run under the same load, shows what the machine itself costs.
Prints per page and size: requests, p50/p95/p99 in milliseconds, errors (HTTP >= 400, or a form
save that was not accepted), then the 10k/1k ratio of p50 and p95. The statistics pages are warmed
once per size before the timed run (the first computation is printed on its own): they serve
figures computed once per cut-off and data change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from throwaway_database import REPO, throwaway_database

PROTOCOL_ID = "nct06965244"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", ""),
                   help="PostgreSQL URL whose server gets a throwaway database (required)")
    p.add_argument("--sizes", default="1000,10000", help="subject counts, comma-separated (default 1000,10000)")
    p.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load per size (default 60)")
    p.add_argument("--think", type=float, default=1.0, help="mean think time between requests, seconds (default 1)")
    p.add_argument("--max-requests", type=int, default=400, help="requests per user at most, per size (default 400)")
    p.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: the server's own default)")
    p.add_argument("--keep", default="", metavar="NAME",
                   help="use (and keep) the database NAME instead of a throwaway one: seeded and grown when "
                        "empty, reused as it is when it already holds the largest size (to profile without regrowing)")
    args = p.parse_args()
    if not args.database.startswith("postgres"):
        p.error("--database must be a PostgreSQL URL (or set DATABASE_URL)")
    return args


# ---- growing the trial --------------------------------------------------------------------------


def owned_models():
    """Models whose rows belong to one patient (a foreign-key path to Subject), parents first."""
    from django.apps import apps

    from equipoise.records.models import Subject

    owned = {Subject}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in owned:
                continue
            if any(f.is_relation and f.related_model in owned for f in model._meta.concrete_fields):
                owned.add(model)
                changed = True
    ordered: list = []
    while len(ordered) < len(owned):
        for model in owned:
            if model in ordered:
                continue
            parents = {f.related_model for f in model._meta.concrete_fields if f.is_relation} & owned - {model}
            if parents <= set(ordered):
                ordered.append(model)
    return ordered


class Grower:
    """Copies the seeded patients until the trial has the asked number of subjects."""

    def __init__(self) -> None:
        from equipoise.records.models import Subject

        self.models = owned_models()
        self.templates = {m: list(m._default_manager.order_by("pk")) for m in self.models}
        self.template_subjects = list(Subject.objects.order_by("pk"))
        self.copies = 0
        # The copies' slots go to a list of their own (inactive), whose commitment is set to what it
        # holds: the trial's real list stays as committed, and the startup check still verifies it.
        from equipoise.allocation.models import RandomizationList

        real = RandomizationList.objects.get(active=True)
        self.copies_list = RandomizationList.objects.create(
            protocol_version=real.protocol_version, sha256="", report={}, loaded_at=real.loaded_at,
            loaded_by=real.loaded_by, active=False)
        self.list_map = {r.pk: self.copies_list.pk for r in RandomizationList.objects.exclude(pk=self.copies_list.pk)}

    def grow_to(self, size: int) -> float:
        from django.db import transaction

        from equipoise.records.models import Site, Subject

        started = time.perf_counter()
        sequences = {s.pk: s.subject_sequence for s in Site.objects.all()}
        while Subject.objects.count() < size:
            missing = size - Subject.objects.count()
            batch = self.template_subjects[:missing]
            with transaction.atomic():
                self._copy(batch, sequences)
            self.copies += 1
        Site.objects.bulk_update([Site(pk=pk, subject_sequence=n) for pk, n in sequences.items()],
                                 ["subject_sequence"])
        from equipoise.allocation.checks import stored_list_bytes
        from equipoise.randomization.listfile import list_sha256

        self.copies_list.sha256 = list_sha256(stored_list_bytes(self.copies_list))
        self.copies_list.save(update_fields=["sha256"])
        return time.perf_counter() - started

    def _copy(self, subjects, sequences: dict[int, int]) -> None:
        from equipoise.allocation.models import Allocation, ListSlot, RandomizationList
        from equipoise.records.actions.subjects import subject_code
        from equipoise.records.models import Subject

        chosen = {s.pk for s in subjects}
        maps: dict = {RandomizationList: self.list_map}
        copy_number = self.copies + 1
        for model in self.models:
            relations = {f.attname: f.related_model for f in model._meta.concrete_fields
                         if f.is_relation and f.related_model in maps}
            rows = []
            sources = []
            for row in self.templates[model]:
                if model is Subject:
                    if row.pk not in chosen:
                        continue
                elif not self._belongs(model, row, maps):
                    continue
                values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
                for attname, related in relations.items():
                    if values.get(attname) is not None and related in maps:
                        values[attname] = maps[related].get(values[attname], values[attname])
                if model is Subject:
                    sequences[row.site_id] += 1
                    site_code = row.code.split("-")[0]
                    values["code"] = subject_code(site_code, sequences[row.site_id])
                elif model is Allocation:
                    values["number"] = f"{values['number']}-{copy_number}"
                elif model is ListSlot:
                    values["position"] = values["position"] + 1_000_000 * copy_number
                rows.append(model(**values))
                sources.append(row.pk)
            created = model._default_manager.bulk_create(rows, batch_size=2000)
            maps[model] = {old: new.pk for old, new in zip(sources, created, strict=True)}

    def _belongs(self, model, row, maps) -> bool:
        """A row is copied when every owned parent it points to was copied in this batch."""
        linked = [(f.attname, f.related_model) for f in model._meta.concrete_fields
                  if f.is_relation and f.related_model in maps and f.related_model in self.models]
        present = [(a, m) for a, m in linked if getattr(row, a) is not None]
        return bool(present) and all(getattr(row, a) in maps[m] for a, m in present)


# ---- the simulated users ------------------------------------------------------------------------


class Target:
    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}"


class User:
    """One simulated person: a signed-in session, a role and the pages of that role's day."""

    def __init__(self, target: Target, name: str, role: str, session: str, work: dict):
        self.target, self.name, self.role, self.session, self.work = target, name, role, session, work
        self.csrf = ""
        self.rng = random.Random(name)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, float]:
        headers = {"Host": self.target.host, "X-Forwarded-Proto": "https", "Accept-Language": "fr",
                   "Cookie": f"sessionid={self.session}" + (f"; csrftoken={self.csrf}" if self.csrf else "")}
        data = None
        if body is not None:
            data = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": self.csrf})
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://{self.target.host}", "Referer": f"https://{self.target.host}{path}"})
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=120)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.perf_counter() - started
            cookie = response.getheader("Set-Cookie") or ""
            found = re.search(r"csrftoken=([A-Za-z0-9]+)", cookie)
            if found:
                self.csrf = found.group(1)
            return response.status, text, elapsed
        finally:
            conn.close()

    def next_step(self) -> tuple[str, str, str, dict | None]:
        """(page name, method, path, body) of the next thing this person does."""
        w, rng = self.work, self.rng
        subject = rng.choice(w["subjects"]) if w.get("subjects") else None
        choices = {
            "investigator": [("home page", "/"), ("subject list", "/subjects/"),
                             ("subject search", f"/subjects/?q={subject[:6] if subject else ''}"),
                             ("subject list, overdue", "/subjects/?next=overdue"),
                             ("subject page", f"/subjects/{subject}/"), ("worklist", "/worklist/"),
                             ("visits worklist", "/treatment/worklist/"), ("form page", None), ("form save", None)],
            "pharmacist": [("home page", "/"), ("visits worklist", "/treatment/worklist/"),
                           ("subject list", "/subjects/"), ("subject page", f"/subjects/{subject}/")],
            "data_manager": [("home page", "/"), ("subject list", "/subjects/"), ("worklist", "/worklist/"),
                             ("audit trail", "/audit/"), ("screening log", "/screening-log/"),
                             ("subject page", f"/subjects/{subject}/"), ("visits worklist", "/treatment/worklist/")],
            "monitor": [("home page", "/"), ("subject list", "/subjects/?sort=-next_visit"), ("worklist", "/worklist/"),
                        ("audit trail", "/audit/"), ("subject page", f"/subjects/{subject}/")],
            "statistician": [("home page", "/"), ("statistics", "/stats/"), ("table 1", "/stats/table1/")],
        }[self.role]
        if rng.random() < 0.1:  # the baseline: a page that renders a template and reads nothing
            return "baseline: login page", "GET", "/login/", None
        name, path = rng.choice(choices)
        if name in ("form page", "form save"):
            code, visit_pk, form_id = rng.choice(w["forms"])
            path = f"/subjects/{code}/visits/{visit_pk}/forms/{form_id}/"
            if name == "form save":
                return name, "POST", path, {"lab_date": dt.date.today().isoformat(),
                                            "reason": "load test: date of the sample corrected"}
        return name, "GET", path, None

    def run(self, until: float, max_requests: int, think: float, results: list, lock: threading.Lock) -> None:
        done = 0
        while time.perf_counter() < until and done < max_requests:
            name, method, path, body = self.next_step()
            if method == "POST" and not self.csrf:
                self.request("GET", path)  # the form page sets the CSRF cookie
            try:
                status, _text, elapsed = self.request(method, path, body)
                ok = status < 400 and not (method == "POST" and status != 302)
            except OSError:
                status, elapsed, ok = 0, 0.0, False
            with lock:
                results.append((name, elapsed, ok, status))
            done += 1
            time.sleep(self.rng.expovariate(1 / think) if think > 0 else 0)


def personas(n_users: int) -> list[tuple[str, str]]:
    """(username, role) of each simulated user: mostly investigators, as in a real trial."""
    people = []
    for i in range(n_users):
        slot = i % 10
        if slot < 6:
            people.append(("investigator.tnn" if i % 2 else "investigator.sls", "investigator"))
        elif slot == 6:
            people.append(("pharmacist.tnn" if i % 4 else "pharmacist.sls", "pharmacist"))
        elif slot == 7:
            people.append(("datamanager", "data_manager"))
        elif slot == 8:
            people.append(("monitor", "monitor"))
        else:
            people.append(("statistician", "statistician"))
    return people


def work_of(username: str) -> dict:
    """Subjects a user may open, and forms an investigator may save (labs at done visits of the site)."""
    from django.contrib.auth import get_user_model

    from equipoise.records.access import visible_subjects
    from equipoise.records.models import FormState, Visit
    from equipoise.records.roles import Role

    user = get_user_model().objects.get(username=username)
    subjects = list(visible_subjects(user).order_by("?").values_list("code", flat=True)[:300])
    work: dict = {"subjects": subjects}
    if user.memberships.filter(role=Role.INVESTIGATOR.value).exists():
        visits = (Visit.objects.filter(subject__code__in=subjects, visit_id="W4", done_date__isnull=False)
                  .exclude(form_records__form_id="labs", form_records__state__in=[FormState.COMPLETE, FormState.LOCKED])
                  .values_list("subject__code", "pk")[:100])
        work["forms"] = [(code, pk, "labs") for code, pk in visits]
        assert work["forms"], "no W4 visit with a labs form to save"
    return work


def sessions_for(usernames: set[str]) -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    out = {}
    for username in usernames:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        out[username] = client.cookies["sessionid"].value
    return out


# ---- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, var_dir: str, workers: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("EQUIPOISE_MODE", "DJANGO_SETTINGS_MODULE")}
    env.update({"EQUIPOISE_ALLOWED_HOSTS": "127.0.0.1", "EQUIPOISE_BEHIND_TLS_PROXY": "1",
                "EQUIPOISE_BIND": f"127.0.0.1:{port}", "EQUIPOISE_VAR": var_dir,
                "EQUIPOISE_STATIC_ROOT": str(Path(var_dir) / "static")})
    if workers:
        env["EQUIPOISE_WORKERS"] = str(workers)
    process = subprocess.Popen([str(Path(sys.executable).parent / "equipoise"), "serve", "--production"],
                               env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}); see {log}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"the server did not listen within 120 s; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---- one size -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_size(target: Target, args: argparse.Namespace, sessions: dict[str, str]) -> dict:
    users = []
    works: dict[str, dict] = {}
    for i, (username, role) in enumerate(personas(args.users)):
        works.setdefault(username, work_of(username))
        users.append(User(target, f"{username}#{i}", role, sessions[username], works[username]))
    # Warm the statistics once (as a background job would), timing that first computation.
    statistician = next(u for u in users if u.role == "statistician")
    cold = {}
    for name, path in (("statistics", "/stats/"), ("table 1", "/stats/table1/")):
        status, _, elapsed = statistician.request("GET", path)
        cold[name] = (status, elapsed)
    lock = threading.Lock()
    # Warm every worker (imports, the protocol, templates) without recording.
    warm_until = time.perf_counter() + max(5.0, args.duration / 6)
    warmers = [threading.Thread(target=u.run, args=(warm_until, 20, args.think, [], lock), daemon=True) for u in users]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join(timeout=300)
    results: list = []
    until = time.perf_counter() + args.duration
    threads = [threading.Thread(target=u.run, args=(until, args.max_requests, args.think, results, lock), daemon=True)
               for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.duration + 300)
    pages: dict[str, dict] = {}
    grouped = defaultdict(list)
    for name, elapsed, ok, status in results:
        grouped[name].append((elapsed, ok, status))
    for name, rows in sorted(grouped.items()):
        times = [e * 1000 for e, ok, _ in rows if ok]
        errors = [s for _, ok, s in rows if not ok]
        pages[name] = {"n": len(rows), "errors": len(errors), "statuses": sorted(set(errors)),
                       "p50": statistics.median(times) if times else float("nan"),
                       "p95": percentile(times, 0.95) if times else float("nan"),
                       "p99": percentile(times, 0.99) if times else float("nan")}
    return {"pages": pages, "cold": cold, "requests": len(results)}


def print_size(size: int, result: dict, grow_seconds: float) -> None:
    print(f"\n== {size:,} subjects (grown in {grow_seconds:.0f} s); {result['requests']} requests ==")
    for name, (status, elapsed) in result["cold"].items():
        print(f"  first computation of {name}: {elapsed * 1000:.0f} ms (HTTP {status})")
    print(f"  {'page':26} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, p in result["pages"].items():
        extra = f"  {p['statuses']}" if p["errors"] else ""
        print(f"  {name:26} {p['n']:5d} {p['p50']:8.0f} {p['p95']:8.0f} {p['p99']:8.0f} {p['errors']:7d}{extra}")


def main() -> int:
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ["EQUIPOISE_SECRET_KEY"] = secrets.token_urlsafe(64)  # shared with the server: same sessions
    results = {}
    with (throwaway_database(args.database, keep=args.keep),
          tempfile.TemporaryDirectory(prefix="equipoise-web-load-") as var_dir):
        from django.db import connection
        from django.utils import timezone

        from equipoise.demo.seed import seed_demo
        from equipoise.records.models import Subject
        from equipoise.visits.localtime import trial_date

        present = Subject.objects.count()
        grower = None
        if present and present < max(sizes):
            raise SystemExit(f"--keep {args.keep}: the database holds {present} subjects, fewer than {max(sizes)}; "
                             "drop it to seed and grow it again")
        if not present:
            started = time.perf_counter()
            seed_demo(trial_date(timezone.now()), progress=lambda _line: None)
            print(f"seeded the demo trial through the actions in {time.perf_counter() - started:.0f} s", flush=True)
            grower = Grower()
        names = {u for u, _ in personas(args.users)}
        sessions = sessions_for(names)
        port = free_port()
        log = Path(var_dir) / "server.log"
        for size in sizes:
            grow_seconds = grower.grow_to(size) if grower else 0.0
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            server = start_server(port, var_dir, args.workers, log)
            try:
                result = run_size(Target(port), args, sessions)
            finally:
                stop_server(server)
            results[size] = result
            print_size(size, result, grow_seconds)
            errors = [line for line in log.read_text(errors="replace").splitlines()
                      if '"status": 5' in line or line.startswith(("Traceback", "[CRITICAL]", "django.", "psycopg."))
                      or "Error" in line[:60]]
            if errors:
                print("  server errors (last 15 lines):\n    " + "\n    ".join(errors[-15:]))
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        print(f"\n== ratio {large:,} / {small:,} subjects ==")
        print(f"  {'page':26} {'p50':>6} {'p95':>6}")
        for name in results[large]["pages"]:
            a, b = results[small]["pages"].get(name), results[large]["pages"][name]
            if a:
                print(f"  {name:26} {b['p50'] / a['p50']:6.2f} {b['p95'] / a['p95']:6.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\nserver: equipoise serve --production (gunicorn), {args.users} users, {args.duration:.0f} s per size, "
          f"think time {args.think} s; repository {REPO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
