"""The only write path for trial data. Each action validates, writes and audits in one transaction.

Actions raise `ActionRefused` (a clear, field-naming reason) and then have changed nothing.
"""
