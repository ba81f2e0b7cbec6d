"""Requests per second of the production server against the development server, in one run.

    .venv/bin/python benchmarks/production_server.py [--requests 300] [--concurrency 8] [--rounds 3]

Both serve the same demo database (SQLite, a temporary EQUIPOISE_VAR seeded by `setup-demo`) on
127.0.0.1, over plain HTTP: the production server is `equipoise serve --production` (gunicorn,
EQUIPOISE_WORKERS sync workers, default 3; whitenoise) told it sits behind a TLS proxy, so that
TLS cost is not counted; the development server is `equipoise serve` (Django's threaded
runserver, static files by staticfiles). For each page, rounds alternate the two servers; each
round sends `--requests` GETs from `--concurrency` client threads, one connection per request,
and the medians of the rounds are compared. Pages: the login page (template, CSRF cookie), the
public trial page (database reads, rendering), a static CSS file, and /health/ (four checks).
Every answer must be a 200, or the run fails. Bounded: stops after rounds x pages x requests.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIPOISE = Path(sys.executable).parent / "equipoise"
PAGES = ["/login/", "/trials/nct06965244/", "/static/web/clasi.css", "/health/"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, headers: dict[str, str], process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/login/", headers=headers), timeout=5).read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def burst(url: str, path: str, requests: int, concurrency: int, headers: dict[str, str]) -> float:
    """Requests per second for `requests` GETs from `concurrency` threads."""
    left = list(range(requests))
    lock = threading.Lock()
    failures: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if not left:
                    return
                left.pop()
            try:
                with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=60) as r:
                    r.read()
                    if r.status != 200:
                        failures.append(f"{path}: {r.status}")
            except urllib.error.HTTPError as exc:
                failures.append(f"{path}: {exc.code}")

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"non-200 answers: {failures[:5]}")
    return requests / elapsed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", default=os.environ.get("EQUIPOISE_WORKERS", "3"))
    args = p.parse_args()

    var = Path(tempfile.mkdtemp(prefix="equipoise-bench-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EQUIPOISE_", "DJANGO_", "DATABASE_URL"))}
    base.update({"EQUIPOISE_VAR": str(var), "EQUIPOISE_HOME": str(REPO), "EQUIPOISE_HEARTBEAT_MAX_AGE": "100000"})
    print(f"seeding the demo database in {var} ...", flush=True)
    subprocess.run([str(EQUIPOISE), "setup-demo"], env={**base, "EQUIPOISE_MODE": "demo"}, check=True,
                   capture_output=True)
    subprocess.run([str(EQUIPOISE), "worker", "--once"], env={**base, "EQUIPOISE_MODE": "demo"}, check=True,
                   capture_output=True)  # a heartbeat, so /health/ answers 200 on both servers

    dev_port, prod_port = free_port(), free_port()
    dev = subprocess.Popen([str(EQUIPOISE), "serve", "--host", "127.0.0.1", "--port", str(dev_port)],
                           env={**base, "EQUIPOISE_MODE": "demo"}, cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    prod_env = {**base, "EQUIPOISE_MODE": "production", "EQUIPOISE_SECRET_KEY": secrets.token_urlsafe(64),
                "EQUIPOISE_ALLOWED_HOSTS": "127.0.0.1", "EQUIPOISE_BEHIND_TLS_PROXY": "1",
                "EQUIPOISE_BIND": f"127.0.0.1:{prod_port}", "EQUIPOISE_WORKERS": args.workers}
    prod = subprocess.Popen([str(EQUIPOISE), "serve", "--production"], env=prod_env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    servers = {"development": (f"http://127.0.0.1:{dev_port}", {}),
               "production": (f"http://127.0.0.1:{prod_port}", {"X-Forwarded-Proto": "https"})}
    try:
        wait_up(*servers["development"], dev)
        wait_up(*servers["production"], prod)
        print(f"{args.rounds} rounds x {args.requests} GETs, {args.concurrency} client threads; production: "
              f"gunicorn {args.workers} sync workers; {os.cpu_count()} cores\n")
        print(f"{'page':28} {'development req/s':>18} {'production req/s':>17} {'ratio':>7}")
        ratios = []
        for path in PAGES:
            rates: dict[str, list[float]] = {"development": [], "production": []}
            for _ in range(args.rounds):
                for name, (url, headers) in servers.items():
                    burst(url, path, max(args.requests // 10, 10), args.concurrency, headers)  # warm up
                    rates[name].append(burst(url, path, args.requests, args.concurrency, headers))
            d, pr = statistics.median(rates["development"]), statistics.median(rates["production"])
            ratios.append(pr / d)
            print(f"{path:28} {d:18.1f} {pr:17.1f} {pr / d:6.2f}x", flush=True)
        print(f"\nproduction / development, geometric mean over the pages: "
              f"{statistics.geometric_mean(ratios):.2f}x")
    finally:
        for process in (dev, prod):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
