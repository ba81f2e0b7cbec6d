"""Eligibility: screening record -> verdict per criterion, with evidence and reasons.

`record` validates a raw record against the data dictionary, `evaluator` runs the protocol's CEL
criteria (compiled once per protocol version), `reasons` words each result in French and English,
`report` gives the JSON shape, and `commands` the `equipoise eligibility` CLI.
"""
