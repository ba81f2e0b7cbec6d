"""Central randomization inside the running system: the committed list, the allocation ledger,
emergency unblinding, and the one blinding policy every page and API response asks.

The algorithms live in the pure `equipoise.randomization` package; this app holds the state,
takes the row locks and writes through its actions in one transaction with the audit event.
"""
