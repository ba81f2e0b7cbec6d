"""The protocol's stratification over the sites configured in the database.

The pure `randomization.strata` does the work; this module only supplies what the database
knows: the configured site codes (a site added by configuration gets its strata).
"""

from __future__ import annotations

from collections.abc import Mapping

from equipoise.protocol.schema import Protocol
from equipoise.randomization.strata import Stratification, stratification_from_protocol
from equipoise.records.models import Site


def configured_stratification(protocol: Protocol) -> Stratification:
    """The protocol's factors, stratifying by the sites configured in `records.Site`."""
    return stratification_from_protocol(protocol, list(Site.objects.order_by("code").values_list("code", flat=True)))



def subject_stratum(protocol: Protocol, site_code: str, values: Mapping[str, object]) -> str:
    """The stratum label of a subject of `site_code` with these captured values.

    The subject's own site is the only site level it can take, so no other site is looked up.
    """
    stratification = stratification_from_protocol(protocol, [site_code])
    return stratification.label(stratification.subject_levels(site_code, values))
