"""Drug-safety rules as pure functions: pregnancy prevention, adverse-event clocks, lab alerts.

Nothing here reads a file, the database or the wall clock. Numerical parameters arrive as
arguments (see `parameters`, built from the protocol's `safety.yaml`), `now` and dates are passed
in, and every refusal or alert carries a code plus a French and English message naming the rule
and the values that decided it.
"""
