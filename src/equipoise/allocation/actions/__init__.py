"""Write actions of the randomization: load a committed list, randomize a subject, unblind.

Each one validates, writes and appends its audit event in one transaction, and raises
`records.actions.errors.ActionRefused` (having changed nothing) when it refuses.
"""
