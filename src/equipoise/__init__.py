"""Equipoise: runs randomized clinical trials whose protocol is reviewable code."""

__version__ = "0.1.0"
