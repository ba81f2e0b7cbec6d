"""The confirmation an irreversible action needs: a ticked box saying what will happen.

Pages show it with `{% include "web/includes/confirm.html" with text=... %}` (a required checkbox,
so the browser asks before sending, with no script); the view refuses a POST without it, so a
forged or scripted request changes nothing either.
"""

from __future__ import annotations

from collections.abc import Mapping

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(post: Mapping[str, str]) -> bool:
    """Whether the person ticked the box that says what the action will do."""
    return post.get(CONFIRM_FIELD) == CONFIRM_VALUE
