"""The active randomization list running low (past the protocol's warning fraction) or exhausted,
per stratum, to the statisticians. Counts come from `allocation.usage.list_usage`. A stratum the
randomization itself already warned about when it crossed the fraction (`ListWarning`) is not
warned again as low; its exhaustion is a new state and is."""

from __future__ import annotations

import datetime as dt
from functools import partial

from equipoise.allocation.models import RandomizationList
from equipoise.allocation.notifications import low_list_words, statistician_emails
from equipoise.allocation.usage import list_usage
from equipoise.operations.reminders import Reminder, remind
from equipoise.records.protocol_versions import current_version, protocol_of


def send_low_list_reminders(now: dt.datetime) -> int:
    sent = 0
    for rlist in RandomizationList.objects.filter(active=True).select_related("protocol_version"):
        protocol_id = rlist.protocol_version.protocol_id
        fraction = protocol_of(current_version(protocol_id)).randomization.low_list_warning_fraction
        for usage in list_usage(rlist):
            if usage.exhausted:
                state = "exhausted"
            elif usage.low(fraction) and not usage.warned:
                state = "low"
            else:
                continue
            sent += remind(Reminder(
                kind="randomization_list", key=f"list:{rlist.pk}:stratum:{usage.stratum}", state=state,
                compose=partial(low_list_words, usage.stratum, usage.used, usage.total, fraction,
                                state == "exhausted"),
                recipients=tuple(statistician_emails())), now)
    return sent
