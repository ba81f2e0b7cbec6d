"""Form data capture rules, Django-free: typing, ranges, code lists, required fields, changes."""
