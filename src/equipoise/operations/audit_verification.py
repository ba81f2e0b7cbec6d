"""The nightly check of the whole audit chain; the sponsor is alerted, once per breakage, if it fails."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from equipoise.operations.reminders import Reminder, remind
from equipoise.records.audit import verify_ledger


def chain_alert(report: str) -> tuple[str, str]:
    return (_("[Equipoise] ALERT: the audit trail does not verify"),
            _("The nightly verification of the audit trail's hash chain failed:\n%(report)s\n\n"
              "An event was changed, removed or inserted outside the application. Keep the database as it is, "
              "compare it with the last verified backup (`equipoise restore` checks one), and inform the "
              "sponsor's quality assurance.\n") % {"report": report})


def verify_audit_chain(now: dt.datetime) -> str:
    report = verify_ledger()
    if not report.intact:
        remind(Reminder(
            kind="audit_chain", key="audit-chain", state=f"broken_at_{report.first_bad_sequence}",
            compose=lambda: chain_alert(str(report)), recipients=(settings.SPONSOR_SAFETY_EMAIL,)), now)
    return str(report)
