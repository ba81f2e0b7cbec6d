"""The ClinicalTrials.gov export validates against the API's published schema and says what the
protocol says, through the library and through the `equipoise registry export` command."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from equipoise.protocol.loader import load_protocol
from equipoise.registry.ctgov import (
    age_text,
    eligibility_text,
    standard_ages,
    study_document,
)
from equipoise.registry.ctgov_schema import schema_problems, study_validator

REPO = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO.parent / "shared" / "standards" / "ctg-oas-v2.yaml"
PROTOCOL_DIR = REPO / "protocols" / "nct06965244"
EQUIPOISE = REPO / ".venv" / "bin" / "equipoise"

MODULES = (
    "identificationModule", "statusModule", "sponsorCollaboratorsModule", "descriptionModule",
    "conditionsModule", "designModule", "armsInterventionsModule", "outcomesModule",
    "eligibilityModule", "contactsLocationsModule",
)


@pytest.fixture(scope="module")
def openapi() -> dict:
    if not OPENAPI_PATH.is_file():
        pytest.fail(f"the ClinicalTrials.gov OpenAPI document is missing: {OPENAPI_PATH}; "
                    "the export cannot be checked without it")
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def protocol():
    return load_protocol(PROTOCOL_DIR).protocol


@pytest.fixture(scope="module")
def document(protocol) -> dict:
    return study_document(protocol)


def _section(document: dict) -> dict:
    return document["protocolSection"]


def _schemas_under_study(openapi: dict) -> list[dict]:
    """Every schema reachable from `Study` through `$ref`s."""
    schemas = openapi["components"]["schemas"]
    seen: dict[str, dict] = {}

    def visit(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen[name] = schemas[name]
                    visit(schemas[name])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit({"$ref": "#/components/schemas/Study"})
    return list(seen.values())


def test_document_validates_against_the_published_study_schema(openapi, document):
    assert openapi["openapi"].startswith("3.0")
    assert schema_problems(document, study_validator(openapi)) == []


def test_document_uses_only_fields_the_schema_declares(openapi, document):
    assert schema_problems(document, study_validator(openapi, forbid_unknown=True)) == []


def test_document_has_every_protocol_module(document):
    assert set(_section(document)) == set(MODULES)


def test_unknown_keys_are_caught_wherever_the_schema_closes_objects(openapi, document):
    misspelt = copy.deepcopy(document)
    misspelt["protocolSection"]["designModule"]["enrolmentInfo"] = {"count": 122}
    # The closed reading of the schema always refuses the typo, naming the key and its place.
    strict = schema_problems(misspelt, study_validator(openapi, forbid_unknown=True))
    assert len(strict) == 1
    assert strict[0].startswith("protocolSection.designModule:")
    assert "enrolmentInfo" in strict[0]
    # The published schema refuses it exactly when it forbids additional properties itself.
    design_schema = openapi["components"]["schemas"]["DesignModule"]
    published = schema_problems(misspelt, study_validator(openapi))
    assert bool(published) == (design_schema.get("additionalProperties") is False)
    closed = [s for s in _schemas_under_study(openapi) if s.get("additionalProperties") is False]
    if closed:
        assert published, "the published schema closes some objects; the typo must be refused"


@pytest.mark.parametrize(("path", "bad"), [
    (("designModule", "phases", 0), "PHASE_3"),
    (("designModule", "designInfo", "allocation"), "RANDOMISED"),
    (("designModule", "designInfo", "maskingInfo", "whoMasked", 0), "ASSESSOR"),
    (("designModule", "enrollmentInfo", "type"), "EXPECTED"),
    (("eligibilityModule", "sex"), "BOTH"),
    (("eligibilityModule", "minimumAge"), "18"),
    (("statusModule", "overallStatus"), "PLANNED"),
    (("armsInterventionsModule", "armGroups", 0, "type"), "TREATMENT"),
    (("sponsorCollaboratorsModule", "leadSponsor", "class"), "ACADEMIC"),
    (("designModule", "enrollmentInfo", "count"), "122"),
])
def test_values_outside_the_api_enumerations_are_refused(openapi, document, path, bad):
    broken = copy.deepcopy(document)
    node = broken["protocolSection"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    problems = schema_problems(broken, study_validator(openapi))
    assert len(problems) == 1
    assert problems[0].startswith("protocolSection." + ".".join(str(p) for p in path) + ":")


def test_validator_refuses_a_document_that_is_not_openapi_3_0(openapi):
    with pytest.raises(ValueError, match=r"^openapi: expected an OpenAPI 3.0 document, got version '3.1.0'"):
        study_validator({**openapi, "openapi": "3.1.0"})
    with pytest.raises(ValueError, match=r"components.schemas.Study: missing"):
        study_validator({"openapi": "3.0.3", "components": {"schemas": {}}})


def test_identification_and_sponsor(document, protocol):
    ident = _section(document)["identificationModule"]
    assert ident["nctId"] == "NCT06965244"
    assert ident["orgStudyIdInfo"] == {"id": protocol.registry.identifiers.org_study_id}
    assert ident["briefTitle"] == protocol.registry.brief_title.en
    assert ident["acronym"] == "LENALUP"
    sponsors = _section(document)["sponsorCollaboratorsModule"]
    assert sponsors["leadSponsor"] == {"name": "Assistance Publique - Hôpitaux de Paris", "class": "OTHER"}


def test_status_dates_carry_their_types(document):
    status = _section(document)["statusModule"]
    assert status["overallStatus"] == "NOT_YET_RECRUITING"
    assert status["startDateStruct"] == {"date": "2025-10-01", "type": "ESTIMATED"}
    assert status["completionDateStruct"] == {"date": "2029-04-01", "type": "ESTIMATED"}
    assert "primaryCompletionDateStruct" not in status


def test_design_uses_the_api_enumerations(document):
    design = _section(document)["designModule"]
    assert design["studyType"] == "INTERVENTIONAL"
    assert design["phases"] == ["PHASE3"]
    info = design["designInfo"]
    assert (info["allocation"], info["interventionModel"], info["primaryPurpose"]) == (
        "RANDOMIZED", "PARALLEL", "TREATMENT")
    assert info["maskingInfo"]["masking"] == "SINGLE"
    assert info["maskingInfo"]["whoMasked"] == ["OUTCOMES_ASSESSOR"]
    assert design["enrollmentInfo"] == {"count": 122, "type": "ESTIMATED"}


def test_arms_and_interventions(document):
    module = _section(document)["armsInterventionsModule"]
    assert [(g["label"], g["type"]) for g in module["armGroups"]] == [
        ("Lenalidomide", "EXPERIMENTAL"), ("Methotrexate", "ACTIVE_COMPARATOR")]
    assert module["armGroups"][0]["interventionNames"] == ["Drug: Lenalidomide", "Drug: Aspirin (low dose)"]
    assert {i["type"] for i in module["interventions"]} == {"DRUG"}
    by_name = {i["name"]: i["armGroupLabels"] for i in module["interventions"]}
    assert by_name == {
        "Lenalidomide": ["Lenalidomide"], "Aspirin (low dose)": ["Lenalidomide"],
        "Methotrexate": ["Methotrexate"], "Folic acid": ["Methotrexate"],
    }


def test_outcomes_come_from_the_endpoints(document, protocol):
    outcomes = _section(document)["outcomesModule"]
    primary = [e for e in protocol.endpoints.endpoints if e.kind == "primary"]
    secondary = [e for e in protocol.endpoints.endpoints if e.kind == "secondary"]
    assert [o["measure"] for o in outcomes["primaryOutcomes"]] == [e.title.en for e in primary]
    assert outcomes["primaryOutcomes"][0]["timeFrame"] == "Week 16"
    assert [o["measure"] for o in outcomes["secondaryOutcomes"]] == [e.title.en for e in secondary]


def test_eligibility_module(document, protocol):
    elig = _section(document)["eligibilityModule"]
    assert elig["sex"] == "ALL"
    assert elig["minimumAge"] == "18 Years"
    assert "maximumAge" not in elig
    assert elig["healthyVolunteers"] is False
    assert elig["stdAges"] == ["ADULT", "OLDER_ADULT"]
    text = elig["eligibilityCriteria"]
    assert text.startswith("Inclusion Criteria:\n\n* ")
    assert text.index("Inclusion Criteria:") < text.index("Exclusion Criteria:")
    positions = [text.index(c.text.en) for c in protocol.criteria]
    assert positions == sorted(positions), "criteria keep their protocol order"
    inclusion_part, exclusion_part = text.split("Exclusion Criteria:")
    assert all(c.text.en in inclusion_part for c in protocol.criteria if c.kind == "inclusion")
    assert all(c.text.en in exclusion_part for c in protocol.criteria if c.kind == "exclusion")


def test_eligibility_text_is_in_english_and_lists_each_criterion_once(protocol):
    text = eligibility_text(protocol.criteria)
    assert text.count("\n* ") == len(protocol.criteria)
    assert "Âge" not in text and "Aged 18 or over" in text


def test_contacts_and_locations(document, protocol):
    module = _section(document)["contactsLocationsModule"]
    assert [c["name"] for c in module["centralContacts"]] == ["Olivier Chosidow", "François Chasset"]
    assert {c["role"] for c in module["centralContacts"]} == {"CONTACT"}
    assert module["locations"] == [
        {"facility": s.name, "status": "NOT_YET_RECRUITING", "city": "Paris", "country": "France"}
        for s in protocol.registry.sites
    ]


def test_optional_registry_fields_are_exported_and_still_valid(openapi, protocol):
    reg = protocol.registry
    changed = protocol.model_copy(update={"registry": reg.model_copy(update={
        "collaborators": ["Groupe de recherche en dermatologie"],
        "identifiers": reg.identifiers.model_copy(update={"secondary": ["2025-000001-11"]}),
        "primary_completion_date": reg.completion_date.model_copy(
            update={"date": dt.date(2028, 10, 1)}),
        "eligibility": reg.eligibility.model_copy(update={"maximum_age_years": 75}),
        "sites": [reg.sites[0].model_copy(update={"status": "recruiting"})],
    })})
    section = study_document(changed)["protocolSection"]
    assert section["sponsorCollaboratorsModule"]["collaborators"] == [
        {"name": "Groupe de recherche en dermatologie"}]
    assert section["identificationModule"]["secondaryIdInfos"] == [{"id": "2025-000001-11"}]
    assert section["statusModule"]["primaryCompletionDateStruct"] == {
        "date": "2028-10-01", "type": "ESTIMATED"}
    assert section["eligibilityModule"]["maximumAge"] == "75 Years"
    assert section["contactsLocationsModule"]["locations"][0]["status"] == "RECRUITING"
    assert schema_problems({"protocolSection": section},
                           study_validator(openapi, forbid_unknown=True)) == []


@pytest.mark.parametrize(("minimum", "maximum", "groups"), [
    (18, None, ["ADULT", "OLDER_ADULT"]),
    (18, 64, ["ADULT"]),
    (0, 17, ["CHILD"]),
    (12, 70, ["CHILD", "ADULT", "OLDER_ADULT"]),
    (65, None, ["OLDER_ADULT"]),
    (17, 18, ["CHILD", "ADULT"]),
])
def test_standard_age_groups(minimum, maximum, groups):
    assert standard_ages(minimum, maximum) == groups


def test_age_text_follows_the_api_pattern():
    assert age_text(18) == "18 Years"
    assert age_text(1) == "1 Year"


# --- the command -----------------------------------------------------------------------------


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(EQUIPOISE), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def _refusal(result: subprocess.CompletedProcess) -> str:
    """The one line a refused command prints: exit status 2, nothing on stdout, one line on stderr."""
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_cli_prints_the_study_document(document, openapi):
    result = _run("registry", "export", "nct06965244", "--format", "ctgov-json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == document
    assert schema_problems(printed, study_validator(openapi, forbid_unknown=True)) == []


def test_cli_reads_a_protocol_directory_given_explicitly(tmp_path, document):
    result = _run("registry", "export", "nct06965244", "--protocol-dir", str(PROTOCOL_DIR),
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == document


def test_cli_unknown_protocol_exits_2_with_one_line(tmp_path):
    line = _refusal(_run("registry", "export", "nct00000000", "--format", "ctgov-json"))
    assert "'nct00000000'" in line and "not found" in line


def test_cli_unknown_format_exits_2_with_one_line():
    line = _refusal(_run("registry", "export", "nct06965244", "--format", "xml"))
    assert "--format 'xml'" in line and "ctgov-json" in line


def test_cli_invalid_protocol_exits_2_naming_the_check_command(tmp_path):
    broken = tmp_path / "nct06965244"
    broken.mkdir()
    (broken / "registry.yaml").write_text("brief_title: {}\n", encoding="utf-8")
    line = _refusal(_run("registry", "export", "nct06965244", "--protocol-dir", str(broken)))
    assert "is invalid" in line and "equipoise protocol check" in line
