"""Write latency as users feel it: 20 clients saving forms and randomizing against a running server.

    .venv/bin/python benchmarks/write_latency.py                  # SQLite in a temporary directory
    .venv/bin/python benchmarks/write_latency.py --database postgres://postgres@127.0.0.1:5432/equipoise

Builds a throwaway trial (a temporary EQUIPOISE_VAR for SQLite; a fresh database named
equipoise_bench_<random> on the PostgreSQL server of --database/DATABASE_URL, dropped at the end),
starts the production server on it (`equipoise serve --production`: gunicorn, production mode,
behind a TLS proxy that the clients stand in for by saying X-Forwarded-Proto: https) on a free
port of 127.0.0.1, and runs `--clients` threads for `--seconds` through the real API with bearer
tokens. Each client, in a loop:

- saves the labs form of its own subject (PUT, a changed value with a reason: a new revision, a
  chained audit event), and reads it back (GET, the read-only baseline measured in the same run);
- randomizes a fresh eligible subject when its turn comes (POST .../randomize), paced so that
  the pool of `--randomizations` eligible subjects lasts the whole run.

Two modes, named in the header of the output:

- saturating (the default, `--think 0`): each client sends its next request as soon as the last is
  answered. With 20 closed-loop clients the server is always busy, so by Little's law the latency
  is about clients / throughput: this measures the cost of a request (what a faster server cuts),
  not what a nurse waits for.
- paced (`--think 1`): each client thinks between requests, a random 0.5 to 1.5 times the mean
  given, as people do between saving a form and opening the next; this measures the wait a user
  feels while 20 people work at once.

Prints p50/p95/p99 latency and throughput per kind of request, every error (any answer that is
not the expected status, or no answer), and checks the stored result: one allocation per
randomized subject, distinct slots taken in list order, distinct numbers, an intact audit chain.
It also prints where the CPU went during the run: the server's processes (gunicorn master and
workers), the PostgreSQL backends serving them, this process (the client threads, which share
the machine's cores with the server), and the whole machine (anything else running shows as the
rest), as seconds and as milliseconds per request.
Targets (issue 18): p95 form save < 50 ms and p95 randomization < 100 ms on PostgreSQL, zero
errors, zero double allocations. Exits 1 when the run had errors or double allocations.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
PROTOCOL = "nct06965244"
TARGETS_MS = {"form save": 50.0, "randomization": 100.0}  # p95, on PostgreSQL


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", ""),
                   help="PostgreSQL URL whose server gets a throwaway database (default: SQLite)")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    p.add_argument("--randomizations", type=int, default=240,
                   help="eligible subjects randomized over the run (default 240)")
    p.add_argument("--workers", default="", help="gunicorn workers (default: the server's own default)")
    p.add_argument("--think", type=float, default=0.0,
                   help="mean think time of each client between requests, seconds (default 0: saturating)")
    return p.parse_args()


# --- the trial, built and inspected in a process with the server's environment -----------------


def setup(clients: int, randomizations: int) -> dict:
    """Migrate; sites; an investigator with a token; a form subject per client; eligible subjects; a list."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from equipoise.allocation.actions.lists import load_list
    from equipoise.allocation.rehearsal import committed_list, eligible_subject
    from equipoise.records.actions.api_tokens import create_token
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.actor import Actor
    from equipoise.records.models import Membership, Site
    from equipoise.records.protocol_versions import (
        default_protocol_dir,
        protocol_of,
        store_protocol_version,
    )
    from equipoise.records.roles import Role
    from equipoise.records.visits_setup import screening_visit

    call_command("migrate", interactive=False, verbosity=0)
    version, _ = store_protocol_version(default_protocol_dir(PROTOCOL))
    tnn = Site.objects.create(code="TNN", name="Tenon", city="Paris")
    Site.objects.create(code="SLS", name="Saint-Louis", city="Paris")
    User = get_user_model()
    inv = User.objects.create_user(username="inv_bench", password=secrets.token_urlsafe(16))
    Membership.objects.create(user=inv, site=tnn, role=Role.INVESTIGATOR.value)
    stat = User.objects.create_user(username="stat_bench", password=secrets.token_urlsafe(16))
    Membership.objects.create(user=stat, site=None, role=Role.STATISTICIAN.value)
    actor = Actor(user=inv, role=Role.INVESTIGATOR.value, site_code="TNN", request_id="bench-setup")
    rng = random.Random(18)
    form_subjects = []
    for _ in range(clients):
        subject = create_subject(actor, tnn, PROTOCOL)
        save_form(actor, subject, screening_visit(subject), "labs", labs_values(rng))
        form_subjects.append(subject.code)
    eligible = [eligible_subject(actor, tnn, PROTOCOL, rng, dt.date(2026, 1, 5), sle_associated=(i % 3 == 0)).code
                for i in range(randomizations)]
    data, sha, report = committed_list(protocol_of(version), "bench-seed", randomizations + 10)
    load_list(Actor(user=stat, role=Role.STATISTICIAN.value, request_id="bench-setup"), PROTOCOL, data, sha, report)
    token = create_token(inv, "write latency benchmark", timezone.now(), request_id="bench-setup")
    return {"token": token, "form_subjects": form_subjects, "eligible": eligible}


def labs_values(rng: random.Random) -> dict:
    return {"lab_date": "2026-01-05", "lab_neutrophils_g_l": round(rng.uniform(2.0, 6.0), 2),
            "lab_platelets_g_l": rng.randint(160, 400), "lab_creatinine_clearance_ml_min": rng.randint(70, 120),
            "lab_alt_x_uln": round(rng.uniform(0.3, 1.0), 2), "lab_ast_x_uln": round(rng.uniform(0.3, 1.0), 2)}


def check() -> dict:
    """What the run stored: allocations, their slots and numbers, and the audit chain."""
    from collections import Counter

    from equipoise.allocation.checks import verify_stored_lists
    from equipoise.allocation.models import Allocation, ListSlot
    from equipoise.records.audit import verify_ledger

    rows = list(Allocation.objects.select_related("slot").values_list(
        "subject_id", "slot_id", "slot__subject_id", "slot__stratum", "slot__position", "number", "arm", "slot__arm"))
    positions: dict[str, list[int]] = {}
    for row in rows:
        positions.setdefault(row[3], []).append(row[4])
    doubles = (sum(n - 1 for n in Counter(r[0] for r in rows).values())
               + sum(n - 1 for n in Counter(r[1] for r in rows).values())
               + sum(n - 1 for n in Counter(r[5] for r in rows).values()))
    return {
        "allocations": len(rows),
        "used_slots": ListSlot.objects.filter(used_at__isnull=False).count(),
        "double_allocations": doubles,
        "slot_mismatches": sum(1 for r in rows if r[2] != r[0] or r[6] != r[7]),
        "out_of_order_strata": sorted(s for s, p in positions.items() if sorted(p) != list(range(1, len(p) + 1))),
        "stored_list_problems": verify_stored_lists(),
        "ledger": str(verify_ledger()),
        "ledger_intact": verify_ledger().intact,
    }


# --- the run --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(var: Path, database_url: str, port: int, workers: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EQUIPOISE_", "DJANGO_", "DATABASE_URL"))}
    env.update({"EQUIPOISE_MODE": "production", "EQUIPOISE_SECRET_KEY": secrets.token_urlsafe(64),
                "EQUIPOISE_ALLOWED_HOSTS": "127.0.0.1,localhost", "EQUIPOISE_VAR": str(var),
                "EQUIPOISE_HOME": str(REPO), "EQUIPOISE_STATIC_ROOT": str(var / "static"),
                "EQUIPOISE_PROTOCOLS": str(REPO / "protocols"), "EQUIPOISE_BEHIND_TLS_PROXY": "1",
                "EQUIPOISE_BIND": f"127.0.0.1:{port}", "PYTHONUNBUFFERED": "1",
                # a worker boot (imports) can take long on a loaded machine; not a request timeout
                "EQUIPOISE_WORKER_TIMEOUT": "300"})
    if workers:
        env["EQUIPOISE_WORKERS"] = workers
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def in_server_env(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Client:
    """One client: its own keep-alive-less HTTP connection per request, as gunicorn's sync workers close them."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https",
                        "Content-Type": "application/json", "Host": "127.0.0.1"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, float, bytes]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=json.dumps(body) if body is not None else None,
                               headers=self.headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, (time.perf_counter() - started) * 1000, payload
        finally:
            connection.close()


def run_clients(port: int, token: str, form_subjects: list[str], eligible: list[str], clients: int,
                seconds: float, think: float = 0.0,
                meter: CpuMeter | None = None) -> tuple[dict[str, list[float]], list[str], list[str]]:
    """Each client first reads its form once, untimed (every worker then has parsed the protocol and
    opened its database connection); the timed run and the CPU meter start together after that."""
    latencies: dict[str, list[float]] = {"form save": [], "read (baseline)": [], "randomization": []}
    errors: list[str] = []
    numbers: list[str] = []
    lock = threading.Lock()
    pool = list(eligible)
    interval = seconds * clients / max(len(eligible), 1)  # each client's time between randomizations
    warmed, gate = threading.Barrier(clients + 1), threading.Barrier(clients + 1)

    def client(i: int) -> None:
        rng = random.Random(i)
        http_client = Client(port, token)
        form = f"/api/v1/subjects/{form_subjects[i]}/visits/SCR/forms/labs"
        try:
            http_client.call("GET", form)
        finally:
            warmed.wait()
        gate.wait()
        start = time.monotonic()
        next_randomization = start + interval * (i + 0.5) / clients

        def pause() -> None:
            if think > 0:
                time.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, start + seconds - time.monotonic())))

        while (now := time.monotonic()) - start < seconds:
            if now >= next_randomization:
                next_randomization += interval
                with lock:
                    code = pool.pop() if pool else None
                if code is not None:
                    try:
                        status, ms, payload = http_client.call("POST", f"/api/v1/subjects/{code}/randomize")
                    except OSError as exc:
                        status, ms, payload = 0, 0.0, str(exc).encode()
                    with lock:
                        if status == 201:
                            latencies["randomization"].append(ms)
                            numbers.append(json.loads(payload)["randomization_number"])
                        else:
                            errors.append(f"randomize {code}: {status} {payload[:200]!r}")
                    pause()
                    continue
            for kind, method, body, expected in (
                    ("form save", "PUT", {"data": labs_values(rng), "reason": "benchmark: value corrected"}, 200),
                    ("read (baseline)", "GET", None, 200)):
                try:
                    status, ms, payload = http_client.call(method, form, body)
                except OSError as exc:
                    status, ms, payload = 0, 0.0, str(exc).encode()
                with lock:
                    if status == expected:
                        latencies[kind].append(ms)
                    else:
                        errors.append(f"{kind} {form}: {status} {payload[:200]!r}")
                pause()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    warmed.wait()
    if meter is not None:
        meter.start()
    gate.wait()
    for t in threads:
        t.join(seconds + 120)
    return latencies, errors, numbers


# --- where the CPU went (Linux /proc) ---------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (the server command, gunicorn's master and its workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return found


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy so far (all cores, anyone's processes)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # all but idle and iowait


def backend_pids(admin_url: str | None, database: str | None) -> list[int]:
    """The PostgreSQL server processes connected to the benchmark's database."""
    if not admin_url:
        return []
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]


class CpuMeter:
    """CPU seconds used during the run by the server, its database backends, this client process and
    the machine as a whole. Backends are counted from their start: they only serve the server's
    workers, which open them on their first request."""

    def __init__(self, server_pid: int, admin_url: str | None, database: str | None):
        self.server_pid, self.admin_url, self.database = server_pid, admin_url, database
        self.backends_seen: dict[int, float] = {}

    def _server(self) -> float:
        return sum(process_cpu(p) for p in process_tree(self.server_pid))

    def _client(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        self.at = (time.monotonic(), self._server(), self._client(), machine_busy(),
                   sum(process_cpu(p) for p in backend_pids(self.admin_url, self.database)))

    def stop(self) -> dict[str, float]:
        backends = sum(process_cpu(p) for p in backend_pids(self.admin_url, self.database))
        wall, server, client, machine, backends_before = self.at
        return {"wall": time.monotonic() - wall, "server": self._server() - server,
                "database": backends - backends_before, "client": self._client() - client,
                "machine": machine_busy() - machine}


def print_cpu(cpu: dict[str, float], requests: int, database_url: str) -> None:
    cores = os.cpu_count() or 1
    ours = cpu["server"] + cpu["database"] + cpu["client"]
    print(f"\nCPU during the run ({cpu['wall']:.0f} s on {cores} cores = {cpu['wall'] * cores:.0f} core-seconds):")
    rows = [("server (gunicorn workers)", cpu["server"])]
    if database_url:
        rows.append(("PostgreSQL backends", cpu["database"]))
    rows += [("this process (client threads)", cpu["client"]),
             ("everything else on the machine", max(0.0, cpu["machine"] - ours))]
    for name, seconds in rows:
        print(f"  {name:<32}{seconds:>7.1f} s{seconds * 1000 / max(requests, 1):>8.1f} ms per request")
    print(f"  {'machine busy':<32}{cpu['machine']:>7.1f} s  ({cpu['machine'] / (cpu['wall'] * cores):.0%} of its cores)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> int:
    args = parse_args()
    admin = name = None
    with tempfile.TemporaryDirectory(prefix="equipoise-bench-") as tmp:
        var = Path(tmp)
        database_url = ""
        if args.database:
            import psycopg

            parts = urllib.parse.urlsplit(args.database)
            name = f"equipoise_bench_{uuid.uuid4().hex[:10]}"
            admin = parts._replace(path="/postgres").geturl()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            database_url = parts._replace(path=f"/{name}").geturl()
        port = free_port()
        env = server_env(var, database_url, port, args.workers)
        server = None
        try:
            print(f"building the trial ({args.clients} form subjects, {args.randomizations} eligible subjects)...",
                  flush=True)
            trial = in_server_env(env, "--setup", str(args.clients), str(args.randomizations))
            log = open(var / "server.log", "w")
            server = subprocess.Popen([str(VENV_BIN / "equipoise"), "serve", "--production"], env=env, cwd=REPO,
                                      stdout=log, stderr=subprocess.STDOUT)
            wait_until_up(port, server, var / "server.log")
            workers = (var / "server.log").read_text().split("workers")[0].rsplit(",", 1)[-1].strip()
            database = "PostgreSQL" if database_url else "SQLite"
            mode = (f"paced: each client thinks {args.think * 0.5:g} to {args.think * 1.5:g} s "
                    f"(mean {args.think:g} s) between requests" if args.think > 0
                    else "saturating: no think time, each client sends its next request as soon as the last is "
                         "answered (latency is about clients / throughput)")
            print(f"server: equipoise serve --production (gunicorn, {workers} workers) on {database}, "
                  f"127.0.0.1:{port}; {args.clients} clients for {args.seconds:.0f} s\nmode: {mode}", flush=True)
            meter = CpuMeter(server.pid, admin, name)
            latencies, errors, numbers = run_clients(port, trial["token"], trial["form_subjects"], trial["eligible"],
                                                     args.clients, args.seconds, args.think, meter)
            cpu = meter.stop()
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
        stored = in_server_env(env, "--check")
        if admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"\n{'request':<18}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  target (p95)")
    for kind, values in latencies.items():
        if not values:
            print(f"{kind:<18}{0:>7}")
            continue
        p95 = percentile(values, 95)
        target = TARGETS_MS.get(kind)
        verdict = "" if target is None else (
            f"< {target:.0f} ms on PostgreSQL: {'met' if p95 < target else 'NOT met'}" if database_url
            else f"< {target:.0f} ms on PostgreSQL (this run: SQLite)")
        print(f"{kind:<18}{len(values):>7}{len(values) / args.seconds:>8.1f}{statistics.median(values):>9.1f}"
              f"{p95:>9.1f}{percentile(values, 99):>9.1f}  {verdict}")
    total = sum(len(v) for v in latencies.values())
    print(f"{'all':<18}{total:>7}{total / args.seconds:>8.1f}")
    print_cpu(cpu, total, database_url)
    doubles = stored["double_allocations"] + stored["slot_mismatches"] + len(stored["out_of_order_strata"])
    doubles += abs(stored["allocations"] - len(numbers)) + len(numbers) - len(set(numbers))
    print(f"\nerrors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    print(f"allocations: {len(numbers)} answered 201, {stored['allocations']} stored, "
          f"{stored['used_slots']} slots used; double allocations: {doubles}; "
          f"strata out of list order: {stored['out_of_order_strata'] or 'none'}; "
          f"stored list problems: {stored['stored_list_problems'] or 'none'}; audit: {stored['ledger']}")
    return 1 if errors or doubles or not stored["ledger_intact"] or stored["used_slots"] != len(numbers) else 0


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 600  # the first start collects and compresses the static files
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/", headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
            connection.getresponse().read()
            connection.close()
            return
        except OSError as exc:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start ({exc}, exit {server.poll()}):\n"
                                 + log.read_text()[-3000:]) from None
            time.sleep(0.3)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--setup", "--check"):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equipoise.settings")
        django.setup()
        out = setup(int(sys.argv[2]), int(sys.argv[3])) if sys.argv[1] == "--setup" else check()
        print(json.dumps(out))
        sys.exit(0)
    sys.exit(main())
