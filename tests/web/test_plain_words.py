"""The plain-words checks the crawl relies on, and the labels that replace codes on the pages."""

from __future__ import annotations

import pytest
from django.utils import translation
from plain_words import plain_words_problems, visible_lines

PAGE = """<html lang="fr"><head><title>ignored_title</title><style>.a_b{}</style></head><body>
<script>var x_y = true;</script>
<h1>Sécurité · TNN-0001</h1>
<p data-x="not_shown">Gravité : <strong>life_threatening</strong></p>
<ul><li>breastfeeding: — → False</li><li>Aucun.</li></ul>
<p>reason [required] — reason: obligatoire</p>
<p>The patient was not seen at this visit</p>
<p lang="en">Written in English on purpose</p>
<select><option>Oui</option><option>not_related</option></select>
</body></html>"""


def test_visible_lines_leave_out_scripts_styles_attributes_and_other_languages():
    lines = visible_lines(PAGE, "fr")
    assert "Sécurité · TNN-0001" in lines and "Gravité : life_threatening" in lines
    assert "not_related" in lines and "Oui" in lines
    text = " ".join(lines)
    assert "x_y" not in text and "a_b" not in text and "not_shown" not in text and "ignored_title" not in text
    assert "Written in English on purpose" not in text


def test_each_kind_of_problem_is_named_with_its_text():
    problems = plain_words_problems(visible_lines(PAGE, "fr"), "fr")
    assert problems == [
        "code life_threatening in 'Gravité : life_threatening'",
        "Python literal False in 'breastfeeding: — → False'",
        "raw error reason [required] in 'reason [required] — reason: obligatoire'",
        "English text in 'The patient was not seen at this visit'",
        "code not_related; English text in 'not_related'",
    ]


def test_plain_text_in_either_language_passes():
    french = ["Aucun.", "Conclusion : non éligible", "Le patient est venu avec sa fille pour la visite",
              "investigator.tnn", "R-TNN-0003", "CLASI-A 12"]
    english = ["None.", "None reported.", "Verdict: not eligible", "The patient came for the visit"]
    assert plain_words_problems(french, "fr") == []
    assert plain_words_problems(english, "en") == []
    assert plain_words_problems(["Le patient est venu avec sa fille pour la visite"], "en") == [
        "French text in 'Le patient est venu avec sa fille pour la visite'"]


def test_proper_names_and_typed_texts_are_left_alone_and_catalogue_leftovers_are_caught():
    lines = ["Hôpital de la Pitié-Salpêtrière", "Save"]
    assert plain_words_problems(lines, "en", ignored=["Hôpital de la Pitié-Salpêtrière"]) == []
    assert plain_words_problems(lines, "fr", ignored=["Hôpital de la Pitié-Salpêtrière"],
                                untranslated=frozenset({"Save"})) == [
        "catalogue entry in the other language in 'Save'"]


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", [("Âge", "—", "54"), ("Sexe", "—", "Femme"), ("Enceinte", "Oui", "Non"),
            ("ALAT (multiple de la limite supérieure)", "—", "0,4"), ("date de réalisation", "—", "2026-01-12")]),
    ("en", [("Age", "—", "54"), ("Sex", "—", "Female"), ("Pregnant", "Yes", "No"),
            ("ALT (multiple of upper limit of normal)", "—", "0.4"), ("date done", "—", "2026-01-12")]),
])
def test_changes_show_labels_and_values_in_the_reader_language(protocol_version, language, expected):
    from equipoise.records.change_display import changed_fields
    from equipoise.records.protocol_versions import protocol_of

    changes = {"age_years": [None, 54], "sex": [None, "female"], "pregnant": [True, False],
               "alt_x_uln": [None, 0.4], "done_date": [None, "2026-01-12"]}
    with translation.override(language):
        assert changed_fields(changes, protocol_of(protocol_version)) == expected


def test_a_clasi_record_shows_as_its_totals_not_as_a_dict(protocol_version):
    from clasi_fill import scored_everywhere
    from equipoise.records.change_display import shown_value

    record = scored_everywhere({"regions": {"nose": {"erythema": 2, "scale": 1}}})
    with translation.override("fr"):
        assert shown_value(record) == "relevé CLASI : activité 3, séquelles 0"
    with translation.override("en"):
        assert shown_value({"regions": {}}) == "CLASI record, not complete"


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["Âge : saisir un nombre entier.", "Âge : au plus 120.", "Sexe : réponse obligatoire.",
            "Motif : réponse obligatoire."]),
    ("en", ["Age: enter a whole number.", "Age must be at most 120.", "Sex is required.", "Reason is required."]),
])
def test_a_refused_value_names_the_field_by_its_label(protocol_version, language, expected):
    from equipoise.capture.validation import FieldError
    from equipoise.records.field_messages import field_message
    from equipoise.records.protocol_versions import protocol_of

    form = protocol_of(protocol_version).form("screening")
    errors = [FieldError("age_years", "type", "age_years must be a whole number"),
              FieldError("age_years", "max", "age_years must be at most 120"),
              FieldError("sex", "required", "sex is required to complete the form"),
              FieldError("reason", "required", "reason for change is required")]
    with translation.override(language):
        assert [field_message(form, e) for e in errors] == expected


def test_codes_have_labels_in_both_languages():
    from equipoise.records.code_labels import CODE_LABELS, code_label
    from equipoise.safety.adverse_events import SERIOUSNESS_CRITERIA
    from equipoise.safety.pregnancy import WEEKDAYS
    from equipoise.treatment.ae_entry import ACTIONS_TAKEN, CAUSALITY, OUTCOMES
    from equipoise.treatment.pregnancy_outcome import PREGNANCY_OUTCOMES

    codes = {*SERIOUSNESS_CRITERIA, *WEEKDAYS, *ACTIONS_TAKEN, *CAUSALITY, *OUTCOMES, *PREGNANCY_OUTCOMES}
    assert codes <= set(CODE_LABELS)
    with translation.override("fr"):
        assert code_label("life_threatening") == "mise en jeu du pronostic vital"
        assert code_label("not_eligible") == "Non éligible" and code_label("withdrew_consent") != "withdrew_consent"
    with translation.override("en"):
        assert code_label("life_threatening") == "life-threatening" and code_label("thursday") == "Thursday"


def test_table_1_speaks_french_on_a_french_page():
    from equipoise.stats.table1 import Cell, Row, Table1, table1_html

    table = Table1([("total", "All randomized", 2)], [
        Row("sex", "Sex", "categorical", "Female", {"total": Cell("1 (50.0%); missing 1", 1, 1, {})}),
        Row("age_years", "Age, years", "mean_sd", None, {"total": Cell("51.0 (4.2)", 2, 0, {})})])
    french = table1_html(table, language="fr")
    for words in ("Tableau 1. Caractéristiques à l'inclusion", "Caractéristique", "Tous les patients randomisés",
                  "Sexe, n (%)", "Femme", "1 (50,0\u00a0%) ; manquants : 1", "51,0 (4,2)",
                  "Âge, années, moyenne (ET)"):
        assert words in french.replace("&#x27;", "'"), words
    assert "Female" not in french and "missing" not in french
    english = table1_html(table)
    assert "Characteristic" in english and "Female" in english and "Age, years, mean (SD)" in english
    assert "1 (50.0%); missing 1" in english and "51.0 (4.2)" in english


def test_a_lone_word_of_the_other_language_is_caught():
    assert plain_words_problems(["Âge (years) *", "thursday", "Statut : Sélection"], "fr") == [
        "English text in 'Âge (years) *'", "English text in 'thursday'"]
    assert plain_words_problems(["Age (ans) *", "Status: Screening", "Brouillon"], "en") == [
        "French text in 'Age (ans) *'", "French text in 'Brouillon'"]
