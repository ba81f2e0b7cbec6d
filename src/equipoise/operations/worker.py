"""`equipoise worker`: the scheduler and the task runner in one process, no broker.

Every `interval` seconds: a heartbeat and the jobs whose slot has come are enqueued
(`schedule.tick`), reminders recorded but not emailed are sent (`reminders.send_unsent`), then
every ready task in the database queue is run by django-tasks-db's worker. SIGTERM or SIGINT stop
it between two tasks. `--once` does one round and exits (for cron, or a test).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from equipoise.operations import clock
from equipoise.operations.reminders import send_unsent
from equipoise.operations.schedule import tick

logger = logging.getLogger("equipoise.operations")


class Stop:
    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum, frame) -> None:
        self.requested = True


def run_queued_tasks(worker_id: str) -> None:
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run()


def one_round(worker_id: str) -> list[str]:
    close_old_connections()
    enqueued = tick(clock.now())
    send_unsent()
    run_queued_tasks(worker_id)
    close_old_connections()
    return enqueued


def run(interval: float, once: bool = False) -> int:
    worker_id = f"{socket.gethostname()}-{os.getpid()}"[:60]
    stop = Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    shift = clock.shift()
    print(f"Equipoise worker {worker_id}: every {interval:g} s" +
          (f"; clock moved forward by {shift} (EQUIPOISE_CLOCK_SHIFT_HOURS)" if shift else ""), flush=True)
    while not stop.requested:
        enqueued = one_round(worker_id)
        if enqueued:
            print(f"ran {', '.join(enqueued)}", flush=True)
        if once:
            break
        deadline = time.monotonic() + interval
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(min(0.5, interval))
    print("worker stopped", flush=True)
    return 0
