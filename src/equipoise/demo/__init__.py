"""Demonstration data: two sites, one user per role, and subjects at every stage."""
