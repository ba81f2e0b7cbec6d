"""Statistics computed once per cut-off and data change, kept for the next request.

Not trial data: a derived copy that can be thrown away at any time (it is rebuilt on the next
request), so it is written directly, without an audit event; serving a document is audited.
"""

from __future__ import annotations

from django.db import models


class ComputedResult(models.Model):
    """One computed document (or the analysis dataset) for one cut-off and one state of the data.

    `data_mark` is the sequence of the last audit event that changed trial data when it was
    computed: any later change appends an event with a higher sequence, so the entry is not used
    again once the data have moved on.
    """

    key = models.CharField(max_length=255, unique=True)
    data_mark = models.BigIntegerField()
    cutoff = models.DateField()
    body = models.BinaryField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField()
