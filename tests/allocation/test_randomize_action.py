"""randomize_subject: who may, whom, which slot, what it writes, and every refusal."""

import math
import shutil
import socket

import pytest

from equipoise.allocation.actions.randomize import randomize_subject
from equipoise.allocation.models import Allocation, ListSlot, ListWarning
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import save_form
from equipoise.records.models import AuditEvent, EligibilityAssessment, SubjectStatus
from equipoise.records.protocol_versions import store_protocol_version
from equipoise.records.roles import Role
from equipoise.records.visits_setup import screening_visit


def test_allocates_the_first_slot_of_the_subjects_stratum(active_list, make_eligible, inv_a):
    subject = make_eligible(sle=True)
    allocation, created = randomize_subject(inv_a, subject)
    assert created
    first = ListSlot.objects.get(rlist=active_list, stratum="site=TNN|sle=true", position=1)
    assert allocation.slot == first and allocation.arm == first.arm
    assert allocation.stratum == "site=TNN|sle=true"
    assert allocation.number == "R-TNN-0001"
    first.refresh_from_db()
    assert first.used_at is not None and first.subject == subject
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.RANDOMIZED
    w16 = subject.visits.get(visit_id="W16")
    assert w16.target_date is not None
    event = AuditEvent.objects.get(action="subject.randomize", subject_code=subject.code)
    assert event.changes["randomization_number"] == [None, "R-TNN-0001"]
    assert allocation.arm not in str(event.changes)


def test_consecutive_subjects_take_consecutive_slots_and_numbers(active_list, make_eligible, inv_a):
    allocations = [randomize_subject(inv_a, make_eligible())[0] for _ in range(3)]
    assert [a.slot.position for a in allocations] == [1, 2, 3]
    assert [a.number for a in allocations] == ["R-TNN-0001", "R-TNN-0002", "R-TNN-0003"]
    expected = list(ListSlot.objects.filter(rlist=active_list, stratum="site=TNN|sle=false")
                    .order_by("position").values_list("arm", flat=True)[:3])
    assert [a.arm for a in allocations] == expected


def test_randomizing_twice_returns_the_same_allocation(active_list, make_eligible, inv_a):
    subject = make_eligible()
    first, created = randomize_subject(inv_a, subject)
    subject.refresh_from_db()
    again, created_again = randomize_subject(inv_a, subject)
    assert created and not created_again and again.pk == first.pk
    assert Allocation.objects.count() == 1


def test_refuses_a_subject_without_consent(active_list, make_eligible, inv_a):
    subject = make_eligible()
    record = subject.form_records.get(form_id="screening")
    save_form(inv_a, subject, screening_visit(subject), "screening", {**record.data, "consent_signed": False},
              reason="consent withdrawn before randomization")
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, subject)
    assert refused.value.status == 422
    assert refused.value.errors[0].field == "consent_signed"
    assert not Allocation.objects.exists()


def test_refuses_a_not_eligible_subject_with_the_reasons(active_list, make_eligible, inv_a):
    subject = make_eligible()
    record = subject.form_records.get(form_id="screening")
    save_form(inv_a, subject, screening_visit(subject), "screening",
              {**record.data, "clasi_a_randomization": 5}, reason="W0 CLASI-A rescored")
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, subject)
    assert refused.value.status == 422
    assert [e.field for e in refused.value.errors] == ["IN05"]
    assert "CLASI" in refused.value.errors[0].message
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.SCREENING and not Allocation.objects.exists()
    assert subject.eligibility_assessments.filter(stage="randomization", verdict="not_eligible").exists()


def test_refuses_with_the_missing_variables_when_incomplete(active_list, make_eligible, inv_a):
    subject = make_eligible()
    record = subject.form_records.get(form_id="screening")
    data = {k: v for k, v in record.data.items() if k != "clasi_a_randomization"}
    save_form(inv_a, subject, screening_visit(subject), "screening", data, reason="W0 CLASI pending")
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, subject)
    assert refused.value.status == 422
    assert (refused.value.errors[0].field, refused.value.errors[0].rule) == ("clasi_a_randomization", "required")


def test_only_an_investigator_randomizes(active_list, make_eligible, people, actor_of):
    subject = make_eligible()
    for name, role in (("assessor_a", Role.BLINDED_ASSESSOR), ("pharm_a", Role.PHARMACIST),
                       ("stat", Role.STATISTICIAN)):
        with pytest.raises(ActionRefused) as refused:
            randomize_subject(actor_of(people[name], role, "TNN"), subject)
        assert refused.value.status == 403
    assert not Allocation.objects.exists()


def test_exhausted_stratum_is_refused_clearly(active_list, make_eligible, inv_a, earlier_allocations):
    total = ListSlot.objects.filter(rlist=active_list, stratum="site=TNN|sle=false").count()
    earlier_allocations("site=TNN|sle=false", total)
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, make_eligible())
    assert refused.value.status == 409
    assert f"all {total} slots" in refused.value.message and "site=TNN|sle=false" in refused.value.message


def test_no_list_loaded_is_refused(people, make_eligible, inv_a):
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, make_eligible())
    assert refused.value.status == 409 and "no randomization list" in refused.value.message


def test_low_list_warns_the_statistician_once(active_list, make_eligible, inv_a, people, protocol,
                                             mailoutbox, django_capture_on_commit_callbacks, earlier_allocations):
    people["stat"].email = "stat@example.org"
    people["stat"].save()
    stratum = "site=TNN|sle=false"
    total = ListSlot.objects.filter(rlist=active_list, stratum=stratum).count()
    threshold = protocol.randomization.low_list_warning_fraction * total
    # Earlier allocations such that the next one stays just below the warning level,
    # and the one after reaches it.
    earlier_allocations(stratum, math.ceil(threshold) - 2)
    with django_capture_on_commit_callbacks(execute=True):
        randomize_subject(inv_a, make_eligible())
    assert not mailoutbox and not ListWarning.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        randomize_subject(inv_a, make_eligible())
    assert ListWarning.objects.filter(stratum=stratum).exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["stat@example.org"]
    assert stratum in mailoutbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        randomize_subject(inv_a, make_eligible())
    assert len(mailoutbox) == 1


def test_a_failed_low_list_mail_does_not_fail_the_allocation(active_list, make_eligible, inv_a, people, settings,
                                                             caplog, django_capture_on_commit_callbacks,
                                                             earlier_allocations):
    """The mail server is unreachable (a real SMTP connection to a closed port): the allocation stands,
    the warning is recorded, and the failed sending is logged."""
    people["stat"].email = "stat@example.org"
    people["stat"].save()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 5}}}
    stratum = "site=TNN|sle=false"
    earlier_allocations(stratum, ListSlot.objects.filter(rlist=active_list, stratum=stratum).count() - 2)
    with django_capture_on_commit_callbacks(execute=True):
        allocation, created = randomize_subject(inv_a, make_eligible())
    assert created and allocation.stratum == stratum
    assert ListWarning.objects.filter(stratum=stratum).exists()
    assert any(isinstance(r.exc_info[1], ConnectionRefusedError) for r in caplog.records if r.exc_info)


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_amendment(settings, tmp_path):
    """A new protocol version (a relabelled lab field), stored as `equipoise protocol load` would."""
    amended = tmp_path / "nct06965244"
    shutil.copytree(settings.PROTOCOLS_DIR / "nct06965244", amended)
    labs = amended / "forms" / "labs.yaml"
    labs.write_text(labs.read_text().replace("Sample date", "Date the sample was taken"))
    return store_protocol_version(amended)[0]


def test_an_allocation_after_an_amendment_is_judged_and_recorded_under_it(
        active_list, make_eligible, inv_a, settings, tmp_path):
    first = make_eligible()
    randomize_subject(inv_a, first)
    v2 = load_amendment(settings, tmp_path)
    second = make_eligible()
    allocation, created = randomize_subject(inv_a, second)
    assert created and allocation.protocol_version == v2 and allocation.slot.position == 2
    assessments = EligibilityAssessment.objects.filter(subject=second, stage="randomization")
    assert [a.protocol_version.number for a in assessments] == [2]
    event = AuditEvent.objects.get(action="subject.randomize", subject_code=second.code)
    assert event.protocol_version == "nct06965244 v2"


def test_a_ledger_that_disagrees_with_the_list_stops_randomization(active_list, make_eligible, inv_a):
    stratum = "site=TNN|sle=false"
    randomize_subject(inv_a, make_eligible())
    first = ListSlot.objects.get(rlist=active_list, stratum=stratum, position=1)
    other = ListSlot.objects.filter(rlist=active_list).exclude(arm=first.arm).values_list("arm", flat=True).first()
    ListSlot.objects.filter(pk=first.pk).update(arm=other)  # the list edited after use
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, make_eligible())
    assert refused.value.status == 409 and "investigate" in refused.value.message
    assert Allocation.objects.count() == 1


def test_a_slot_marked_used_without_an_allocation_stops_randomization(active_list, make_eligible, inv_a):
    ListSlot.objects.filter(rlist=active_list, stratum="site=TNN|sle=false", position=1).update(
        used_at="2026-01-01T00:00Z")
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, make_eligible())
    assert refused.value.status == 409 and "investigate" in refused.value.message
    assert not Allocation.objects.exists()


def test_a_not_eligible_verdict_is_stored_once_even_if_an_amendment_lands_after_it(
        active_list, make_eligible, inv_a, settings, tmp_path, monkeypatch):
    from equipoise.allocation.actions import randomize

    subject = make_eligible()
    record = subject.form_records.get(form_id="screening")
    save_form(inv_a, subject, screening_visit(subject), "screening",
              {**record.data, "clasi_a_randomization": 5}, reason="W0 CLASI-A rescored")
    refusal = randomize.eligibility_refusal

    def amended_after_the_commit(assessment):
        load_amendment(settings, tmp_path)  # the verdict and its event are committed by now
        return refusal(assessment)

    monkeypatch.setattr(randomize, "eligibility_refusal", amended_after_the_commit)
    with pytest.raises(ActionRefused) as refused:
        randomize_subject(inv_a, subject)
    assert refused.value.status == 422
    stored = EligibilityAssessment.objects.filter(subject=subject, stage="randomization")
    assert [(a.verdict, a.protocol_version.number) for a in stored] == [("not_eligible", 1)]
    assert AuditEvent.objects.filter(action="eligibility.randomization", subject_code=subject.code).count() == 1
