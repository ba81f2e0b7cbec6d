"""Reporting clocks listed due and overdue, shown in Paris time across the DST changes, and the
`safety notify-due` command emailing them."""

from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation

from equipoise.people.languages import set_language
from equipoise.safety.adverse_events import ClockState
from equipoise.treatment import commands
from equipoise.treatment.actions.adverse_events import notify_sponsor, report_adverse_event
from equipoise.treatment.clocks import running_clocks, serious_events
from equipoise.treatment.templatetags.treatment_text import paris

PARIS = ZoneInfo("Europe/Paris")


def serious(inv_a, subject, aware_at: dt.datetime):
    return report_adverse_event(
        inv_a, subject, term="Neutropenia", onset_date=aware_at.date(), grade=4, seriousness=["life_threatening"],
        special_interest=["neutropenia"], site_aware_at=aware_at,
        causality={"lenalidomide": "related", "aspirin": "not_related"}, action_taken="drug_interrupted",
        outcome="recovering", now=aware_at + dt.timedelta(minutes=30))


@pytest.fixture
def spring_event(randomized, inv_a):
    """Known at 12:30 Paris (UTC+1) the day before clocks go forward on 2026-03-29."""
    subject = randomized("lenalidomide", "female", True)
    return serious(inv_a, subject, dt.datetime(2026, 3, 28, 12, 30, tzinfo=PARIS))


def test_sae_clock_due_then_overdue_across_the_spring_change(spring_event):
    before = dt.datetime(2026, 3, 29, 10, 0, tzinfo=PARIS)
    (row,) = running_clocks(serious_events(), before)
    assert row.clock.state is ClockState.DUE
    # 24 real hours: 13:30 Paris summer time, not 12:30.
    with translation.override("en"):
        assert paris(row.clock.deadline) == "2026-03-29 13:30 (UTC+02:00)"
    with translation.override("fr"):
        assert paris(row.clock.deadline) == "29/03/2026 à 13:30 (UTC+02:00)"
    assert row.clock.describe().en == ("SAE notification to the sponsor: due by 2026-03-29 13:30 Paris time "
                                       "(UTC+02:00), 3 h 30 min left.")
    after = dt.datetime(2026, 3, 29, 14, 0, tzinfo=PARIS)
    (row,) = running_clocks(serious_events(), after)
    assert row.clock.state is ClockState.OVERDUE and row.overdue
    assert "overdue since 2026-03-29 13:30" in row.clock.describe().en
    assert "en retard depuis le 29/03/2026 à 13:30" in row.clock.describe().fr


def test_autumn_change_deadline_is_an_hour_earlier_on_the_wall_clock(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    serious(inv_a, subject, dt.datetime(2026, 10, 24, 12, 0, tzinfo=PARIS))
    (row,) = running_clocks(serious_events(), dt.datetime(2026, 10, 25, 9, 0, tzinfo=PARIS))
    with translation.override("fr"):
        assert paris(row.clock.deadline) == "25/10/2026 à 11:00 (UTC+01:00)"


def test_met_clocks_leave_the_list(spring_event, inv_a):
    notify_sponsor(inv_a, spring_event, at=dt.datetime(2026, 3, 29, 9, 0, tzinfo=PARIS),
                   now=dt.datetime(2026, 3, 29, 9, 5, tzinfo=PARIS))
    assert running_clocks(serious_events(), dt.datetime(2026, 3, 29, 14, 0, tzinfo=PARIS)) == []


def test_notification_time_cannot_precede_awareness_or_be_naive(spring_event, inv_a):
    from equipoise.records.actions.errors import ActionRefused

    with pytest.raises(ActionRefused) as refused:
        notify_sponsor(inv_a, spring_event, at=dt.datetime(2026, 3, 28, 8, 0, tzinfo=PARIS))
    assert refused.value.errors[0].rule == "not before site_aware_at"
    with pytest.raises(ActionRefused) as refused:
        notify_sponsor(inv_a, spring_event, at=dt.datetime(2026, 3, 29, 8, 0))
    assert refused.value.errors[0].field == "sponsor_notified_at"


def run_notify_due(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["safety", "notify-due", *argv])
    return args.func(args)


def test_notify_due_emails_the_sponsor_and_the_site_investigators(spring_event, people, settings, capsys):
    settings.SPONSOR_SAFETY_EMAIL = "vigilance@example.org"
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    set_language(people["inv_a"], "en")
    mail.outbox.clear()
    assert run_notify_due("--now", "2026-03-29T14:00+02:00") == 0
    assert [m.to for m in mail.outbox] == [["vigilance@example.org"], ["inv.a@tenon.example"]]
    french, english = (m.body for m in mail.outbox)  # the desk reads the site's French; inv_a chose English
    assert "délai de déclaration à échéance ou dépassé" in mail.outbox[0].subject
    assert "en retard depuis le 29/03/2026 à 13:30 heure de Paris (UTC+02:00), de 30 min" in french
    assert "29 mars 2026 à 14:00, heure de Paris (UTC+02:00)" in french
    assert "site TNN: 1 safety reporting clock due or overdue" in mail.outbox[1].subject
    assert "overdue since 2026-03-29 13:30 Paris time (UTC+02:00), by 30 min" in english
    assert "29 March 2026 at 14:00 Paris time (UTC+02:00)" in english
    for body in (french, english):
        assert spring_event.subject.code in body and "lenalidomide" not in body
    assert "1 clock(s) running (1 overdue); 2 email(s) sent" in capsys.readouterr().out


def test_notify_due_sends_nothing_when_nothing_runs(people, capsys):
    assert run_notify_due() == 0
    assert mail.outbox == []
    assert "0 clock(s) running" in capsys.readouterr().out


def test_notify_due_refuses_a_naive_now(capsys):
    assert run_notify_due("--now", "2026-03-29T14:00") == 2
    assert "UTC offset" in capsys.readouterr().err
