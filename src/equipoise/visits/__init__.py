"""Visit calendar and treatment adherence as pure functions over calendar dates."""
