"""The write path of treatment and safety: one function per workflow step.

Each action checks the actor's role, validates with the pure rules, then writes its rows and the
audit event in one transaction; it raises `records.actions.errors.ActionRefused` naming the field,
the value and the rule, having written nothing (a refused dispensing leaves only its audit event).
"""
