"""What another app must do, in the same transaction, when a form record is saved.

Saving a form belongs to `records`, but what some answers mean belongs elsewhere: a positive
pregnancy test must hold the study drug and open a pregnancy report (`treatment`). Rather than
`records` importing the apps built on it, an app registers a reaction for a form id when Django
starts (`AppConfig.ready`), and `records.actions.forms` runs every reaction of the saved form
inside the save's transaction: if a reaction refuses, nothing of the save is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from equipoise.records.actor import Actor
from equipoise.records.models import FormRecord

Reaction = Callable[[Actor, FormRecord], None]
_REACTIONS: dict[str, list[Reaction]] = defaultdict(list)


def react_to(form_id: str) -> Callable[[Reaction], Reaction]:
    """Register the decorated function to run after each save of a `form_id` record."""

    def register(reaction: Reaction) -> Reaction:
        if reaction not in _REACTIONS[form_id]:
            _REACTIONS[form_id].append(reaction)
        return reaction

    return register


def after_save(actor: Actor, record: FormRecord) -> None:
    """Run the reactions registered for the record's form; the caller holds the transaction."""
    for reaction in _REACTIONS.get(record.form_id, ()):
        reaction(actor, record)
