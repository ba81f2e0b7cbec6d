"""Randomization: strata, seeded permuted-block lists, minimization, verification, simulation.

Everything here is pure (no Django): the allocation ledger builds on `allocation.Allocator`.
"""
