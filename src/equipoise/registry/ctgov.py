"""Build a ClinicalTrials.gov API v2 study document from a protocol.

The document is the `Study` object of the API (only its `protocolSection`): the shape a registry
upload or a diff against the public record needs. Texts are the English versions, as the
registry is in English. Codes are copied as they are: the protocol schema already uses the API's
enumerations, so nothing is translated here except the few fields the protocol stores in
lower case (site recruitment status).
"""

from __future__ import annotations

from typing import Any

from equipoise.protocol import schema

LANGUAGE = "en"

# Standard age groups as ClinicalTrials.gov derives them from the age limits (in years).
_STD_AGES: tuple[tuple[str, int, int | None], ...] = (
    ("CHILD", 0, 17),
    ("ADULT", 18, 64),
    ("OLDER_ADULT", 65, None),
)


def study_document(protocol: schema.Protocol) -> dict[str, Any]:
    """The `Study` document (API v2) for `protocol`, with a protocol section only."""
    reg = protocol.registry
    return {
        "protocolSection": {
            "identificationModule": _identification(reg),
            "statusModule": _status(reg),
            "sponsorCollaboratorsModule": _sponsors(reg),
            "descriptionModule": _description(reg),
            "conditionsModule": _conditions(reg),
            "designModule": _design(reg),
            "armsInterventionsModule": _arms_interventions(protocol.arms),
            "outcomesModule": _outcomes(protocol.endpoints.endpoints),
            "eligibilityModule": _eligibility(reg.eligibility, protocol.criteria),
            "contactsLocationsModule": _contacts_locations(reg),
        }
    }


def age_text(years: int) -> str:
    """An age in the API's `"<n> Years"` form (`"1 Year"` for one)."""
    return f"{years} {'Year' if years == 1 else 'Years'}"


def standard_ages(minimum: int, maximum: int | None) -> list[str]:
    """The standard age groups an age range overlaps, in the API's order."""
    upper = maximum if maximum is not None else 200
    return [
        code for code, low, high in _STD_AGES
        if minimum <= (high if high is not None else 200) and upper >= low
    ]


def intervention_label(intervention: schema.Intervention) -> str:
    """How an arm names an intervention in the API: `"<Type>: <name>"` (e.g. `Drug: Aspirin`)."""
    kind = intervention.type.replace("_", " ").capitalize()
    return f"{kind}: {intervention.name.get(LANGUAGE)}"


def eligibility_text(criteria: list[schema.Criterion]) -> str:
    """The criteria as the registry's free text: an inclusion list, then an exclusion list."""
    blocks = []
    for kind, heading in (("inclusion", "Inclusion Criteria"), ("exclusion", "Exclusion Criteria")):
        items = [f"* {c.text.get(LANGUAGE)}" for c in criteria if c.kind == kind]
        if items:
            blocks.append(f"{heading}:\n\n" + "\n".join(items))
    return "\n\n".join(blocks)


def _identification(reg: schema.Registry) -> dict[str, Any]:
    module: dict[str, Any] = {
        "nctId": reg.identifiers.nct_id,
        "orgStudyIdInfo": {"id": reg.identifiers.org_study_id},
        "briefTitle": reg.brief_title.get(LANGUAGE),
        "officialTitle": reg.official_title.get(LANGUAGE),
        "organization": {"fullName": reg.sponsor, "class": reg.sponsor_class.value},
    }
    if reg.identifiers.secondary:
        module["secondaryIdInfos"] = [{"id": ident} for ident in reg.identifiers.secondary]
    if reg.acronym:
        module["acronym"] = reg.acronym
    return module


def _date_struct(value: schema.DateWithType) -> dict[str, str]:
    return {"date": value.date.isoformat(), "type": value.type}


def _status(reg: schema.Registry) -> dict[str, Any]:
    module: dict[str, Any] = {
        "overallStatus": reg.overall_status.value,
        "startDateStruct": _date_struct(reg.start_date),
    }
    if reg.primary_completion_date is not None:
        module["primaryCompletionDateStruct"] = _date_struct(reg.primary_completion_date)
    module["completionDateStruct"] = _date_struct(reg.completion_date)
    return module


def _sponsors(reg: schema.Registry) -> dict[str, Any]:
    module: dict[str, Any] = {
        "leadSponsor": {"name": reg.sponsor, "class": reg.sponsor_class.value},
    }
    if reg.collaborators:
        module["collaborators"] = [{"name": name} for name in reg.collaborators]
    return module


def _description(reg: schema.Registry) -> dict[str, str]:
    module = {"briefSummary": reg.brief_summary.get(LANGUAGE)}
    if reg.detailed_description is not None:
        module["detailedDescription"] = reg.detailed_description.get(LANGUAGE)
    return module


def _conditions(reg: schema.Registry) -> dict[str, list[str]]:
    module = {"conditions": list(reg.conditions)}
    if reg.keywords:
        module["keywords"] = list(reg.keywords)
    return module


def _design(reg: schema.Registry) -> dict[str, Any]:
    design = reg.design
    masking: dict[str, Any] = {"masking": design.masking.level}
    if design.masking.description is not None:
        masking["maskingDescription"] = design.masking.description.get(LANGUAGE)
    if design.masking.who:
        masking["whoMasked"] = list(design.masking.who)
    return {
        "studyType": reg.study_type,
        "phases": [reg.phase.value],
        "designInfo": {
            "allocation": design.allocation,
            "interventionModel": design.intervention_model,
            "primaryPurpose": design.primary_purpose,
            "maskingInfo": masking,
        },
        "enrollmentInfo": {"count": reg.enrollment, "type": reg.enrollment_type},
    }


def _arms_interventions(arms: list[schema.Arm]) -> dict[str, Any]:
    groups = [
        {
            "label": arm.label.get(LANGUAGE),
            "type": arm.type,
            "description": arm.description.get(LANGUAGE),
            "interventionNames": [intervention_label(i) for i in arm.interventions],
        }
        for arm in arms
    ]
    # An intervention given in several arms is listed once, naming every arm that gives it.
    by_id: dict[str, dict[str, Any]] = {}
    for arm in arms:
        for item in arm.interventions:
            entry = by_id.setdefault(item.id, {
                "type": item.type,
                "name": item.name.get(LANGUAGE),
                "description": item.description.get(LANGUAGE),
                "armGroupLabels": [],
            })
            entry["armGroupLabels"].append(arm.label.get(LANGUAGE))
    return {"armGroups": groups, "interventions": list(by_id.values())}


def _outcome(endpoint: schema.Endpoint) -> dict[str, str]:
    return {
        "measure": endpoint.title.get(LANGUAGE),
        "description": endpoint.description.get(LANGUAGE),
        "timeFrame": endpoint.time_frame.get(LANGUAGE),
    }


def _outcomes(endpoints: list[schema.Endpoint]) -> dict[str, Any]:
    module: dict[str, Any] = {
        "primaryOutcomes": [_outcome(e) for e in endpoints if e.kind == "primary"],
    }
    secondary = [_outcome(e) for e in endpoints if e.kind == "secondary"]
    if secondary:
        module["secondaryOutcomes"] = secondary
    return module


def _eligibility(elig: schema.Eligibility, criteria: list[schema.Criterion]) -> dict[str, Any]:
    module: dict[str, Any] = {
        "eligibilityCriteria": eligibility_text(criteria),
        "healthyVolunteers": elig.healthy_volunteers,
        "sex": elig.sex,
        "minimumAge": age_text(elig.minimum_age_years),
    }
    if elig.maximum_age_years is not None:
        module["maximumAge"] = age_text(elig.maximum_age_years)
    module["stdAges"] = standard_ages(elig.minimum_age_years, elig.maximum_age_years)
    return module


def _contact(contact: schema.Contact) -> dict[str, str]:
    entry = {"name": contact.name, "role": "CONTACT"}
    if contact.phone:
        entry["phone"] = contact.phone
    if contact.email:
        entry["email"] = contact.email
    return entry


def _contacts_locations(reg: schema.Registry) -> dict[str, Any]:
    return {
        "centralContacts": [_contact(c) for c in reg.central_contacts],
        "locations": [
            {
                "facility": site.name,
                "status": site.status.upper(),
                "city": site.city,
                "country": site.country,
            }
            for site in reg.sites
        ],
    }
