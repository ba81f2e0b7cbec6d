"""The trial database of the kill -9 test, built and inspected in processes of their own.

    python crash_trial.py setup N      live_trial's setup (N eligible subjects, a committed list), plus
                                       recovery codes for inv_a (production sign-in asks a second factor)
    python crash_trial.py visits CODE...   the W0 visit of each randomized subject
    python crash_trial.py report       what is stored, as JSON

The database comes from the environment, as the server's does.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

TOKENS = [f"crash{i:04d}" for i in range(40)]


def setup(n: int) -> dict:
    spec = importlib.util.spec_from_file_location(
        "live_trial", Path(__file__).resolve().parents[1] / "allocation" / "live_trial.py")
    live_trial = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live_trial)
    out = live_trial.setup(n)
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=get_user_model().objects.get(username="inv_a"), name="recovery",
                                         confirmed=True)
    for token in TOKENS:
        device.token_set.create(token=token)
    return {**out, "tokens": TOKENS}


def visits(codes: list[str]) -> dict:
    from equipoise.records.models import Visit

    return {v.subject.code: v.pk for v in Visit.objects.filter(subject__code__in=codes, visit_id="W0", scheduled=True)
            .select_related("subject")}


def report() -> dict:
    from django.db.models import Count

    from equipoise.allocation.models import Allocation, ListSlot
    from equipoise.records.audit import verify_ledger
    from equipoise.records.models import AuditEvent, FormRecord, Subject

    return {
        "chain": str(verify_ledger()),
        "intact": verify_ledger().intact,
        "request_ids": sorted(set(AuditEvent.objects.values_list("request_id", flat=True))),
        "allocations": [{"subject": a.subject.code, "slot_subject": a.slot.subject.code if a.slot.subject else None,
                         "slot_used": a.slot.used_at is not None, "status": a.subject.status,
                         "visits": a.subject.visits.filter(scheduled=True).count()}
                        for a in Allocation.objects.select_related("subject", "slot__subject")],
        "used_slots": ListSlot.objects.filter(used_at__isnull=False).count(),
        "randomized_subjects": Subject.objects.filter(status="randomized").count(),
        "form_records": [{"subject": r.subject.code, "revision": r.revision, "revisions": r.n_revisions,
                          "pain_nrs": r.data.get("pain_nrs"),
                          "events": AuditEvent.objects.filter(object_type="form_record", object_id=str(r.pk)).count()}
                         for r in FormRecord.objects.filter(form_id="pain_itch_nrs").select_related("subject")
                         .annotate(n_revisions=Count("revisions"))],
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equipoise.settings")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "setup":
        result = setup(int(sys.argv[2]))
    elif command == "visits":
        result = visits(sys.argv[2:])
    else:
        result = report()
    print(json.dumps(result))
