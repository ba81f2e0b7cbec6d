"""Named actions for sites, accounts, the second factor, signatures and sessions.

Each validates, writes and appends its audit event in one transaction, or raises
`ActionRefused` having changed nothing (security refusals leave an audit event of their own).
"""
