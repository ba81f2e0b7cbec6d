"""The roles people hold, and what each role may do. Django-free so it can be tested alone."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    BLINDED_ASSESSOR = "blinded_assessor"
    PHARMACIST = "pharmacist"
    DATA_MANAGER = "data_manager"
    MONITOR = "monitor"
    STATISTICIAN = "statistician"
    SPONSOR_ADMIN = "sponsor_admin"


LABELS = {
    Role.INVESTIGATOR: ("Investigator", "Investigateur"),
    Role.BLINDED_ASSESSOR: ("Blinded assessor", "Évaluateur en aveugle"),
    Role.PHARMACIST: ("Pharmacist", "Pharmacien"),
    Role.DATA_MANAGER: ("Data manager", "Data manager"),
    Role.MONITOR: ("Monitor", "Moniteur"),
    Role.STATISTICIAN: ("Statistician", "Statisticien"),
    Role.SPONSOR_ADMIN: ("Sponsor administrator", "Administrateur promoteur"),
}

# Roles that may enter or change trial data at their sites.
DATA_ENTRY = frozenset({Role.INVESTIGATOR, Role.BLINDED_ASSESSOR, Role.PHARMACIST})
# Roles that review data: they raise queries, never edit values.
REVIEWERS = frozenset({Role.DATA_MANAGER, Role.MONITOR})
# Roles that may hold a membership without a site, i.e. see every site.
SPONSOR_LEVEL = frozenset({Role.DATA_MANAGER, Role.MONITOR, Role.STATISTICIAN, Role.SPONSOR_ADMIN})
# Roles that must never learn the arm (assessor blinding).
BLINDED = frozenset({Role.BLINDED_ASSESSOR})

