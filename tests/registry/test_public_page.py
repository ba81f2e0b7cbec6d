"""The public trial page: open to all, French or English, every section present, every
unconfirmed item marked in place and listed at the end."""

from __future__ import annotations

import html
import os
import re
import shutil
import typing
from pathlib import Path

import pytest

from equipoise.protocol import schema
from equipoise.protocol.loader import load_protocol
from equipoise.registry import labels
from equipoise.registry.public_page import SECTIONS, build_page, public_assumptions

REPO = Path(__file__).resolve().parents[2]
PROTOCOLS = REPO / "protocols"
URL = "/trials/nct06965244/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def protocols_root(settings):
    settings.PROTOCOLS_DIR = PROTOCOLS
    return PROTOCOLS


@pytest.fixture(scope="module")
def protocol():
    return load_protocol(PROTOCOLS / "nct06965244").protocol


def _text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode("utf-8")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _body(response) -> str:
    return response.content.decode("utf-8")


def test_anonymous_visitor_gets_the_page_in_french_by_default(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    body = _body(response)
    assert '<html lang="fr">' in body
    text = _text(response)
    for words in (
        "Lénalidomide contre méthotrexate", "Statut et phase", "Pas encore en recrutement",
        "Phase 3", "122 participants dans 2 groupes de patients", "Randomisé",
        "Groupes parallèles", "Simple aveugle", "Évaluateur des critères", "Traitement",
        "Interventionnelle", "Tous", "18 ans et plus", "Volontaires sains acceptés Non",
        "Critères d'inclusion", "Critères de non-inclusion", "Contacts centraux",
        "Centres de recherche", "Hôpital Tenon, Dermatologie", "Olivier Chosidow",
        "5 mg une fois par jour", "15 à 20 mg une fois par semaine", "NCT06965244",
        "Autre (académique, hôpital, fondation)", "1er octobre 2025 (estimée)",
    ):
        assert words in text, words


def test_english_by_query_parameter(client):
    response = client.get(URL, {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in _body(response)
    text = _text(response)
    for words in (
        "Lenalidomide vs methotrexate", "Status and phase", "Not yet recruiting", "Phase 3",
        "122 participants in 2 patient groups", "Randomized", "Parallel groups", "Single",
        "Outcomes assessor", "Interventional", "All", "18 years and older",
        "Healthy volunteers accepted No", "Inclusion criteria", "Exclusion criteria",
        "Central contacts", "Research sites", "Experimental", "Active comparator",
        "75-100 mg once daily", "October 1, 2025 (estimated)",
    ):
        assert words in text, words
    assert "Randomisé" not in text


def test_language_follows_django_when_not_asked(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response["Content-Language"] == "en"
    assert "122 participants in 2 patient groups" in _text(response)
    # An unknown ?lang= is ignored rather than trusted.
    response = client.get(URL, {"lang": "de"})
    assert response["Content-Language"] == "en"


def test_page_offers_links_to_switch_language(client):
    body = _body(client.get(URL))
    assert '<a href="?lang=en" lang="en" hreflang="en">English</a>' in body
    assert 'href="?lang=fr" lang="fr" hreflang="fr" aria-current="page"' in body


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_section_has_an_id_and_a_heading(client, lang):
    body = _body(client.get(URL, {"lang": lang}))
    for section in SECTIONS:
        match = re.search(
            rf'<section id="{section}" aria-labelledby="{section}-h">\s*<h([23]) id="{section}-h">([^<]+)',
            body)
        assert match, f"section {section} has no heading"
        assert match.group(2).strip()
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", body)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), "headings skip a level"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_assumptions_are_marked_in_place_and_listed(client, protocol, lang):
    response = client.get(URL, {"lang": lang})
    body, text = _body(response), _text(response)
    expected = public_assumptions(protocol)
    assert expected, "the trial protocol has assumptions to show"
    in_place = re.findall(r'<a class="assumption" href="#(mark-\d+)">', body)
    assert len(in_place) == len(expected)
    closing = body[body.index('<section id="assumptions"'):]
    for anchor in in_place:
        assert f'<li id="{anchor}"><span class="assumption">' in closing
    for mark in build_page(protocol, lang).assumptions:
        assert mark.reason in text
    if lang == "en":
        assert all(reason in text for _where, reason in expected)


@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("fr", "La liste des centres n'est pas publique ; ce sont des centres de démonstration.",
     "The site list is not public"),
    ("en", "The site list is not public; these are demonstration sites.", "La liste des centres"),
])
def test_assumption_and_pending_notes_speak_the_page_language(client, lang, shown, hidden):
    body = _body(client.get(URL, {"lang": lang}))
    closing = body[body.index('<section id="assumptions"'):]
    assert html.escape(shown) in closing and hidden not in closing
    assert 'lang="en"' not in closing.split("</section>")[0]
    pending_fr = html.escape("Le passage progressif de 15 à 20 mg n'est pas encore précisé par le promoteur.")
    assert (pending_fr in closing) is (lang == "fr")


def test_a_note_without_its_translation_is_shown_in_english_and_marked_so(client, settings, tmp_path):
    root = tmp_path / "protocols"
    shutil.copytree(PROTOCOLS / "nct06965244", root / "nct06965244")
    settings.PROTOCOLS_DIR = root
    arms = root / "nct06965244" / "arms.yaml"
    arms.write_text("\n".join(line for line in arms.read_text(encoding="utf-8").split("\n")
                              if not line.strip().startswith("pending_fr:")), encoding="utf-8")
    body = _body(client.get(URL, {"lang": "fr"}))
    closing = body[body.index('<section id="assumptions"'):]
    assert '<span lang="en">Titration from 15 to 20 mg is not specified by the sponsor yet.</span>' in closing
    assert html.escape("La liste des centres n'est pas publique") in closing


def test_a_translation_without_its_english_note_is_refused():
    with pytest.raises(ValueError, match="assumption_fr translates assumption"):
        schema.Site(code="TNN", name="Hôpital", city="Paris", country="France",
                    assumption_fr="Centre de démonstration.")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pending_criteria_and_regimen_are_marked(client, lang):
    body = _body(client.get(URL, {"lang": lang}))
    for criterion in ("IN06", "EX05"):
        item = re.search(rf'<li id="criterion-{criterion}">(.*?)</li>', body, re.S)
        assert item and 'class="pending"' in item.group(1), criterion
    item = re.search(r'<li id="criterion-IN01">(.*?)</li>', body, re.S)
    assert item and 'class="pending"' not in item.group(1)
    assert len(re.findall(r'<a class="pending" href="#(mark-\d+)">', body)) == 3


def test_closing_list_links_back_to_the_criterion(client):
    body = _body(client.get(URL, {"lang": "en"}))
    closing = body[body.index('<section id="assumptions"'):]
    assert '<a href="#criterion-EX01">Criterion EX01</a>' in closing
    assert '<a href="#criterion-IN06">Criterion IN06</a>' in closing
    assert '<a href="#funder">Funder type</a>' in closing


def test_criteria_are_shown_with_their_ids(client, protocol):
    text = _text(client.get(URL, {"lang": "en"}))
    for criterion in protocol.criteria:
        assert f"{criterion.id} {criterion.text.en}" in text


def test_page_obeys_the_content_security_policy(client):
    body = _body(client.get(URL))
    assert " style=" not in body
    assert "<style" not in body
    assert "<script" not in body or "nonce=" in body


def test_unknown_protocol_is_404(client):
    assert client.get("/trials/nct00000000/").status_code == 404
    assert client.get("/trials/not-a-protocol/").status_code == 404


def test_registry_number_in_capitals_redirects_to_the_page(client):
    response = client.get("/trials/NCT06965244/", {"lang": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/trials/nct06965244/?lang=en"


def test_edited_protocol_shows_without_restart(client, settings, tmp_path):
    root = tmp_path / "protocols"
    shutil.copytree(PROTOCOLS / "nct06965244", root / "nct06965244")
    settings.PROTOCOLS_DIR = root
    assert "Lenalidomide vs methotrexate" in _text(client.get(URL, {"lang": "en"}))
    registry = root / "nct06965244" / "registry.yaml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        "en: Lenalidomide vs methotrexate", "en: Lenalidomide or methotrexate", 1), encoding="utf-8")
    later = registry.stat().st_mtime_ns + 5_000_000_000
    os.utime(registry, ns=(later, later))
    assert "Lenalidomide or methotrexate" in _text(client.get(URL, {"lang": "en"}))


# --- the page model and its labels (no Django) -----------------------------------------------


def test_page_marks_exactly_the_public_assumptions(protocol):
    for lang in labels.LANGUAGES:
        page = build_page(protocol, lang)
        english = build_page(protocol, "en")
        assert sorted(m.reason for m in english.assumptions) == sorted(
            reason for _, reason in public_assumptions(protocol))
        # the same marks, each in the page's language: every public note has its French
        assert [(m.anchor, m.section) for m in page.assumptions] == [
            (m.anchor, m.section) for m in english.assumptions]
        assert {m.language for m in page.assumptions + page.pending} == {lang}
        assert [m.section for m in page.assumptions] == sorted(
            (m.section for m in page.assumptions), key=SECTIONS.index)
        pending = {m.reason for m in english.pending}
        assert {reason for _, reason in protocol.pending()} <= pending


def test_assumptions_outside_the_public_scope_are_not_listed(protocol):
    private = {reason for where, reason in protocol.assumptions()
               if not where.startswith(("registry", "arms[", "criteria[", "endpoints.endpoints["))}
    assert private, "the trial protocol has assumptions about running the trial"
    shown = {m.reason for m in build_page(protocol, "en").assumptions}
    assert not private & shown


def _codes(annotation) -> set[str]:
    """The allowed codes of a Literal, an enum, or a list of either."""
    if isinstance(annotation, type) and issubclass(annotation, schema.StrEnum):
        return {member.value for member in annotation}
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list:
        return _codes(args[0])
    return {a for a in args if isinstance(a, str)}


@pytest.mark.parametrize(("family", "annotation"), [
    ("phase", schema.Phase),
    ("status", schema.OverallStatus),
    ("funder", schema.FunderClass),
    ("study_type", schema.Registry.model_fields["study_type"].annotation),
    ("sex", schema.Eligibility.model_fields["sex"].annotation),
    ("date_type", schema.DateWithType.model_fields["type"].annotation),
    ("enrollment_type", schema.Registry.model_fields["enrollment_type"].annotation),
    ("primary_purpose", schema.Design.model_fields["primary_purpose"].annotation),
    ("allocation", schema.Design.model_fields["allocation"].annotation),
    ("intervention_model", schema.Design.model_fields["intervention_model"].annotation),
    ("masking", schema.Masking.model_fields["level"].annotation),
    ("who_masked", schema.Masking.model_fields["who"].annotation),
    ("arm_type", schema.Arm.model_fields["type"].annotation),
    ("intervention_type", schema.Intervention.model_fields["type"].annotation),
    ("intervention_role", schema.Intervention.model_fields["role"].annotation),
    ("site_status", schema.Site.model_fields["status"].annotation),
])
def test_every_schema_code_has_a_label_in_both_languages(family, annotation):
    codes = _codes(annotation)
    assert codes
    for code in codes:
        english, french = labels.enum_label(family, code, "en"), labels.enum_label(family, code, "fr")
        assert english.strip() and french.strip(), (family, code)


def test_labels_named_in_the_brief():
    assert labels.enum_label("phase", "PHASE3", "en") == labels.enum_label("phase", "PHASE3", "fr") == "Phase 3"
    assert labels.enum_label("allocation", "RANDOMIZED", "fr") == "Randomisé"
    assert labels.enum_label("who_masked", "OUTCOMES_ASSESSOR", "en") == "Outcomes assessor"
    assert labels.enum_label("who_masked", "OUTCOMES_ASSESSOR", "fr") == "Évaluateur des critères"


def test_missing_label_or_language_is_named():
    with pytest.raises(KeyError, match="no label for phase code 'PHASE5'"):
        labels.enum_label("phase", "PHASE5", "en")
    with pytest.raises(KeyError, match="language 'de'"):
        labels.enum_label("phase", "PHASE3", "de")


def test_enrollment_and_age_phrases():
    assert labels.enrollment_phrase(122, 2, "en") == "122 participants in 2 patient groups"
    assert labels.enrollment_phrase(122, 2, "fr") == "122 participants dans 2 groupes de patients"
    assert labels.enrollment_phrase(1, 1, "en") == "1 participant in 1 patient group"
    assert labels.ages_phrase(18, 75, "fr") == "18 à 75 ans"
    assert labels.ages_phrase(18, None, "en") == "18 years and older"
