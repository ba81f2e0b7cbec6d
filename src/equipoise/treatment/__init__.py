"""Treatment and safety inside the running system: the visit calendar and worklist, prescribing,
pregnancy-gated dispensing, pill counts, dose changes, adverse events with their reporting clocks,
lab alerts and the safety dashboard.

The rules are the pure `equipoise.safety` and `equipoise.visits` functions; this app reads the
facts they need from the database, writes through its actions (one transaction with the audit
event) and shows the results, asking `allocation.blinding` before anything names an arm.
"""
