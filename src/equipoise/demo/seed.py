"""`equipoise demo`: load the protocol, create sites, users and subjects at every stage.

Idempotent: sites, users and the randomization list are found or created; subjects are created
only until each site has its demo quota, so running it twice duplicates nothing. Every write goes
through the same actions as the web pages, so the audit trail is complete.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from equipoise.allocation.actions.lists import load_list
from equipoise.allocation.actions.randomize import randomize_subject
from equipoise.allocation.models import RandomizationList
from equipoise.allocation.rehearsal import committed_list
from equipoise.demo.clasi_records import clasi_form
from equipoise.demo.corrections import correct_some_values
from equipoise.demo.followup import RESPONSE_RATE, clasi_course, fill_visit
from equipoise.demo.people import ensure_sites, ensure_users
from equipoise.demo.screening_records import eligible_record, failing_record
from equipoise.demo.treatment_course import (
    maybe_adverse_event,
    start_precautions,
    stop_for_lack_of_efficacy,
    treat_visit,
)
from equipoise.protocol.schema import Protocol
from equipoise.records.actions.eligibility import assess_eligibility
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject, end_participation
from equipoise.records.actor import Actor
from equipoise.records.models import AssessmentStage, Subject
from equipoise.records.protocol_versions import (
    default_protocol_dir,
    protocol_of,
    store_protocol_version,
)
from equipoise.records.roles import Role
from equipoise.records.visits_setup import baseline_visit, screening_visit

DEMO_PROTOCOL_DIR = "nct06965244"  # the bundled protocol directory the demonstration runs
PARIS = ZoneInfo("Europe/Paris")
LIST_SEED = "equipoise-demo-list"
SLOTS_PER_STRATUM = 30
# Stage of each demo subject at a site, in creation order.
STAGES = (["screen_failed"] * 5 + ["randomized"] * 14 + ["awaiting_randomization"] * 2
          + ["in_screening"] * 2 + ["declined"] + ["recently_randomized"])
# Randomized patients (by order at each site) who leave: (outcome, first visit missed, reason).
LEAVERS = {
    3: ("lost_to_follow_up", "W12", "no reply to three calls and a letter after week 8"),
    9: ("withdrew_consent", "W8", "patient withdrew consent (moving abroad)"),
}
FAILURE_SETS = [["IN05"], ["EX01"], ["EX02", "EX06"], ["IN06"], ["EX07"], ["EX08"], ["IN05", "EX01"]]


def _actor(users: dict, username: str, role: Role, site: str = "") -> Actor:
    return Actor(user=users[username], role=role.value, site_code=site, request_id="demo-seed")


def ensure_list(protocol: Protocol, users: dict) -> None:
    if RandomizationList.objects.filter(active=True).exists():
        return
    data, sha256, report = committed_list(protocol, LIST_SEED, SLOTS_PER_STRATUM)
    load_list(_actor(users, "statistician", Role.STATISTICIAN), protocol.id, data, sha256, report)


def seed_demo(today: dt.date, progress: Callable[[str], None] = print) -> dict[str, int]:
    version, _ = store_protocol_version(default_protocol_dir(DEMO_PROTOCOL_DIR))
    protocol = protocol_of(version)
    sites = ensure_sites(protocol)
    users = ensure_users(sites)
    ensure_list(protocol, users)
    created = 0
    for site_index, (code, site) in enumerate(sorted(sites.items())):
        rng = random.Random(f"demo-{code}")
        staff = {
            "investigator": _actor(users, f"investigator.{code.lower()}", Role.INVESTIGATOR, code),
            "assessor": _actor(users, f"assessor.{code.lower()}", Role.BLINDED_ASSESSOR, code),
            "pharmacist": _actor(users, f"pharmacist.{code.lower()}", Role.PHARMACIST, code),
            "sponsor": _actor(users, "sponsor", Role.SPONSOR_ADMIN),
        }
        investigator, assessor = staff["investigator"], staff["assessor"]
        existing = Subject.objects.filter(site=site).count()
        for index, stage in enumerate(STAGES):
            if index < existing:
                continue
            # Recruitment spread over the trial's first year; the latest patients are still in screening.
            if stage in ("awaiting_randomization", "in_screening", "declined"):
                screening_date = today - dt.timedelta(days=3 + 3 * (len(STAGES) - index) + site_index)
            elif stage == "recently_randomized":  # randomized weeks ago: not yet evaluable at week 16
                screening_date = today - dt.timedelta(days=40 + site_index)
            else:
                screening_date = today - dt.timedelta(days=400 - 15 * index - 4 * site_index)
            subject = create_subject(investigator, site, version.protocol_id)
            _screen(subject, stage, index, screening_date, rng, investigator, assessor)
            if stage == "recently_randomized":
                _randomize_and_follow(subject, protocol, screening_date, today, rng, staff, None)
            if stage == "randomized":
                leaves = LEAVERS.get(index - STAGES.index("randomized"))
                _randomize_and_follow(subject, protocol, screening_date, today, rng, staff, leaves)
            created += 1
            progress(f"  {subject.code}: {stage.replace('_', ' ')}")
    return {"subjects_created": created, "subjects_total": Subject.objects.count()}


def _screen(subject: Subject, stage: str, index: int, screening_date: dt.date, rng: random.Random,
            investigator: Actor, assessor: Actor) -> None:
    if stage == "screen_failed":
        record = failing_record(rng, screening_date, FAILURE_SETS[index % len(FAILURE_SETS)])
    else:
        record = eligible_record(rng, screening_date)
    if stage in ("in_screening", "declined"):
        for key in ("creatinine_clearance_ml_min", "neutrophils_g_l", "platelets_g_l", "alt_x_uln", "ast_x_uln"):
            record.pop(key)
    scr = screening_visit(subject)
    if stage in ("randomized", "recently_randomized", "awaiting_randomization"):
        save_form(assessor, subject, scr, "clasi",
                  clasi_form(rng, record["clasi_a_screening"], subject.pk, screening_date, assessor.user.get_username()))
        record.pop("clasi_a_screening")
    save_form(investigator, subject, scr, "screening", record)
    assess_eligibility(investigator, subject, AssessmentStage.SCREENING)
    if stage == "declined":
        subject.refresh_from_db()
        end_participation(investigator, subject, "declined", screening_date + dt.timedelta(days=2),
                          "prefers not to take a teratogenic drug",
                          now=dt.datetime.combine(screening_date + dt.timedelta(days=2), dt.time(17, 0), tzinfo=PARIS))


def _randomize_and_follow(subject: Subject, protocol: Protocol, screening_date: dt.date, today: dt.date,
                          rng: random.Random, staff: dict[str, Actor], leaves: tuple[str, str, str] | None) -> None:
    investigator, assessor = staff["investigator"], staff["assessor"]
    randomized_on = screening_date + dt.timedelta(days=14)
    screening = screening_visit(subject).form_records.get(form_id="screening").data
    baseline = max(8, screening["clasi_a_screening"] if "clasi_a_screening" in screening else
                   subject.form_records.get(form_id="clasi").derived["clasi_a"]) + rng.randint(-2, 3)
    save_form(assessor, subject, baseline_visit(subject), "clasi",
              clasi_form(rng, max(8, baseline), subject.pk, randomized_on, assessor.user.get_username()))
    at = dt.datetime.combine(randomized_on, dt.time(10, 0), tzinfo=PARIS)
    allocation, _ = randomize_subject(investigator, subject, now=at)
    responder = rng.random() < RESPONSE_RATE[allocation.arm]
    course = clasi_course(rng, max(8, baseline), responder)
    course.pop("W0")
    childbearing = bool(screening.get("childbearing_potential"))
    start_precautions(subject, allocation.arm, screening, randomized_on, investigator)
    dispensed, stopped = None, False
    for visit in subject.visits.filter(scheduled=True).order_by("sequence"):
        if visit.visit_id in ("SCR",) or visit.target_date is None or visit.target_date > today:
            continue
        if leaves and visit.visit_id == leaves[1]:
            subject.refresh_from_db()
            end_participation(investigator, subject, leaves[0], visit.target_date, leaves[2],
                              now=dt.datetime.combine(visit.target_date, dt.time(18, 0), tzinfo=PARIS))
            break
        scheduled = protocol.visit(visit.visit_id)
        forms = [f for f in scheduled.forms if not (visit.visit_id == "W0" and f == "clasi")]
        fill_visit(visit, subject, course | {"W0": baseline}, rng, investigator, assessor, forms, childbearing)
        if visit.visit_id != "W0":
            maybe_adverse_event(subject, visit, allocation.arm, rng, investigator, staff["sponsor"])
        if visit.visit_id == "W12" and not responder and rng.random() < 0.3:
            stop_for_lack_of_efficacy(subject, visit.target_date, investigator)
            stopped = True
        dispensed = treat_visit(subject, visit, allocation.arm, scheduled.dispensing, dispensed, rng,
                                investigator, staff["pharmacist"], stopped)
    # Every third randomized patient has values corrected after monitoring, with reasons.
    if subject.pk % 3 == 0:
        correct_some_values(subject, investigator)
