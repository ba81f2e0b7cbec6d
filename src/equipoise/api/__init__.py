"""The JSON API under /api/v1/: a thin edge over the records layer.

Every route authenticates a bearer token (`auth`), starts with the records access helper
(`records.access.subject_access`, or `site_access` beside it) and writes only through
`records.actions`. Refusals come back as data (`errors`): a sentence plus field-naming errors.
"""
