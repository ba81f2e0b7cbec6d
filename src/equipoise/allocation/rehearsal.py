"""A randomization rehearsal: a committed list and eligible subjects, built through the actions.

Used by the concurrency tests, the benchmark and demonstrations, so that all of them exercise the
real write path (screening form saved and audited, list loaded against its commitment) rather
than rows inserted behind the actions' back. Nothing here runs in a live trial: the list of a
real trial is generated offline by the statistician (`equipoise randomization generate`).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from equipoise.allocation.stratum import configured_stratification
from equipoise.demo.screening_records import eligible_record
from equipoise.protocol.schema import Protocol
from equipoise.randomization.blocks import generate_list, generation_report
from equipoise.randomization.listfile import dump_list
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.actor import Actor
from equipoise.records.models import Site, Subject
from equipoise.records.visits_setup import screening_visit


def committed_list(protocol: Protocol, seed: str, slots_per_stratum: int) -> tuple[bytes, str, dict[str, Any]]:
    """List bytes for every configured stratum, their SHA-256 and the generation report."""
    design = protocol.randomization
    strata = configured_stratification(protocol).strata()
    entries = generate_list(strata, design.ratio, design.block_sizes, seed, slots_per_stratum)
    report = generation_report(entries, ratio=design.ratio, block_sizes=design.block_sizes,
                               slots_per_stratum=slots_per_stratum, protocol_id=protocol.id)
    return dump_list(entries), report["sha256"], report


def eligible_subject(
    actor: Actor, site: Site, protocol_id: str, rng: random.Random, screening_date: dt.date,
    *, sle_associated: bool, clasi_a_randomization: int = 12,
) -> Subject:
    """A new subject whose screening record is complete and eligible, CLASI-A at W0 included."""
    subject = create_subject(actor, site, protocol_id)
    record = eligible_record(rng, screening_date)
    record["sle_associated"] = sle_associated
    record["clasi_a_randomization"] = clasi_a_randomization
    save_form(actor, subject, screening_visit(subject), "screening", record)
    return subject
