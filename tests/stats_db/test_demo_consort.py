"""The interim report and CONSORT on the demo data (issue 13 items 7, 8, 10): "not yet evaluable"
and "still in screening" counted apart, declined among the excluded, and every box of the diagram
adding up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from demo_rollback import demo_kept_for_the_module
from equipoise.records.models import Subject, SubjectStatus
from equipoise.visits.localtime import trial_date

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
# The demo's eligibility decisions are dated when they are made, so the cut-off is today.
DEMO_DAY = trial_date(timezone.now())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), demo_kept_for_the_module(DEMO_DAY, REPO / "protocols"):
        yield


@pytest.fixture
def cut(demo, settings):
    from equipoise.records.protocol_versions import current_version, protocol_of
    from equipoise.stats_db.extract import build_dataset
    from equipoise.stats_db.trial_context import trial_context

    settings.PROTOCOLS_DIR = REPO / "protocols"
    context = trial_context(protocol_of(current_version("nct06965244")))
    return context, build_dataset(DEMO_DAY, "nct06965244", context)


def test_every_box_of_the_demo_consort_adds_up(cut):
    from equipoise.stats.consort import consort_counts

    context, dataset = cut
    c = consort_counts(dataset, visit=context.primary_visit)
    statuses = {s: Subject.objects.filter(status=s).count() for s in SubjectStatus.values}
    declined = Subject.objects.filter(end_outcome="declined").count()
    ex, screening = c["excluded"], c["in_screening"]
    assert c["inconsistencies"] == []
    assert c["assessed"] == ex["total"] + screening["total"] + c["randomized"]
    assert ex["total"] == ex["not_meeting_criteria"] + ex["declined"] + ex["other"]
    assert screening["total"] == screening["incomplete"] + screening["awaiting_randomization"]
    # Still in screening is what the database says, not folded into the excluded.
    assert screening["total"] == statuses["screening"] > 0
    assert ex["not_meeting_criteria"] == statuses["screen_failed"] > 0
    assert ex["declined"] == declined > 0
    assert c["randomized"] == sum(a["allocated"] for a in c["arms"].values())
    waiting = 0
    for a in c["arms"].values():
        assert a["allocated"] == a["received"] + a["not_received"]
        assert a["allocated"] == a["analysed_itt"] + a["not_yet_evaluable"] + a["excluded_from_itt"]
        assert a["discontinued"] == sum(a["discontinued_reasons"].values())
        assert a["stopped_drug"] == sum(a["stopped_drug_reasons"].values())
        waiting += a["not_yet_evaluable"]
    assert waiting > 0
    assert sum(a["lost_to_follow_up"] for a in c["arms"].values()) == statuses["lost_to_follow_up"] > 0
    assert sum(a["discontinued_reasons"].get("withdrew_consent", 0) for a in c["arms"].values()) > 0


def test_the_interim_report_counts_the_not_yet_evaluable_apart(cut):
    from equipoise.stats.consort import consort_counts
    from equipoise.stats.primary import analyse_primary

    context, dataset = cut
    roles = {"treatment_arm": context.treatment_arm, "control_arm": context.control_arm}
    interim = analyse_primary(dataset, **roles)
    waiting = sum(interim.not_yet_evaluable.values())
    counts = consort_counts(dataset, visit=context.primary_visit)
    assert waiting == sum(a["not_yet_evaluable"] for a in counts["arms"].values()) > 0
    assert interim.itt.treatment.n + interim.itt.control.n + waiting == len(dataset.subjects)
    final = analyse_primary(dataset, **roles, final=True)
    assert final.itt.treatment.n + final.itt.control.n == len(dataset.subjects)
    # Left out of the interim analysis, they are non-responders only in a final analysis.
    assert (final.itt.treatment.n - final.itt.treatment.responders + final.itt.control.n
            - final.itt.control.responders) >= waiting


def test_the_demo_consort_speaks_french(cut):
    from equipoise.stats_db.documents import consort
    from equipoise.stats_db.trial_context import trial_context

    context, dataset = cut
    from equipoise.records.protocol_versions import current_version, protocol_of

    french = trial_context(protocol_of(current_version("nct06965244")), "fr")
    svg = consort(dataset, french, arm_level=True, language="fr").decode()
    assert "Encore en sélection à la date de gel" in svg and "Refus de participer" in svg
    assert "Pas encore évaluables" in svg
    for label in french.arm_labels.values():
        assert f"Attribués au bras {label}" in svg
