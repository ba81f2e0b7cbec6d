"""Trial records: sites, people, coded subjects, visits, form records, queries and the audit ledger.

Views, the API and the CLI never write these models directly; they call the action functions
in `equipoise.records.actions`, which validate, write and append the audit event together.
"""
