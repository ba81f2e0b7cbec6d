"""The DSMB PDF and the interim report speak the requester's language: headings, table labels, arm
labels, footnotes and dates, read back from the PDF's text (pypdf) and from the report page."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from equipoise.visits.localtime import trial_date

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("language", "present", "absent"), [
    ("fr", ["Rapport au comité de surveillance", "Date de gel des données", "Partie ouverte (bras regroupés)",
            "Partie fermée", "Bras A", "Bras B", "Caractéristiques à l'inclusion", "Événements indésirables",
            "Patients sans EI", "Tous les patients", "Décès", "La clé du code est détenue",
            "Critère principal : CLASI-50 à la semaine 16", "Répondeurs, Bras A", "thrombose",
            "Semaines depuis la randomisation", "IC 95 % (intervalle score hybride de Newcombe", "sept."],
     ["Data cut-off", "Open part", "Closed part", "Arm A", "Subjects without AE", "Deaths", "Responders",
      "Weeks since", "lack of efficacy", "Sep"]),
    ("en", ["Data Safety Monitoring Board report", "Data cut-off", "Open part (all arms pooled)",
            "Closed part", "Arm A", "Arm B", "Baseline characteristics", "Adverse events",
            "Subjects without AE", "All subjects", "Deaths", "The code key is held",
            "Primary endpoint: CLASI-50 at week 16", "Responders, Arm A", "thrombosis"],
     ["Date de gel", "Partie ouverte", "Bras A", "Patients sans EI", "Décès", "Répondeurs"]),
])
def test_the_dsmb_pdf_is_written_in_the_requesters_language(trial, people, client_for, language, present, absent):
    response = client_for(people["stat"]).get("/stats/dsmb.pdf?part=closed", HTTP_ACCEPT_LANGUAGE=language)
    text = pdf_text(response.content)
    missing = [words for words in present if words not in text]
    assert missing == []
    assert [words for words in absent if words in text] == []
    from django.utils import timezone

    today = trial_date(timezone.now())
    month = {"fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                    "octobre", "novembre", "décembre"][today.month - 1], "en": f"{today:%B}"}[language]
    assert f"{today.day} {month} {today.year}" in text  # the date it was produced, in words
    assert not SNAKE.search(text), SNAKE.search(text)


def test_the_pdf_changes_language_without_mixing_cached_copies(trial, people, client_for):
    client = client_for(people["sponsor"])
    french = pdf_text(client.get("/stats/dsmb.pdf?part=open", HTTP_ACCEPT_LANGUAGE="fr").content)
    english = pdf_text(client.get("/stats/dsmb.pdf?part=open", HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Partie ouverte" in french and "Open part" in english and "Open part" not in french


@pytest.mark.parametrize(("language", "present"), [
    ("fr", ["analyse statistique intermédiaire", "Gel des données le", "Critères secondaires", "Tolérance",
            "Répondeurs,", "Intention de traiter", "Classement des patients"]),
    ("en", ["interim statistical report", "Data cut-off", "Secondary endpoints", "Safety", "Responders,",
            "Intention to treat", "Classification of subjects"]),
])
def test_the_interim_report_body_is_in_the_requesters_language(trial, people, client_for, language, present):
    body = client_for(people["stat"]).get("/stats/report/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert [words for words in present if words not in body] == []


@pytest.mark.parametrize(("note", "french"), [
    ("Responder: CLASI-A at W16 fell by at least 50% from W0.",
     "Répondeur : CLASI-A à W16 en baisse d'au moins 50\u00a0% par rapport à W0."),
    ("Interim analysis at the cut-off 2026-11-29: 2 subject(s) not yet evaluable (W16 window still open, outcome "
     "not yet decided) are left out, not counted as non-responders (A 2, B 0).",
     "Analyse intermédiaire au gel du 29 novembre 2026 : 2 patient(s) pas encore évaluable(s) (fenêtre de W16 "
     "encore ouverte, résultat pas encore connu) sont exclus, non comptés comme non-répondeurs (A 2, B 0)."),
    # What an early cut says when the data cannot support an analysis (the report of an empty trial).
    ("an arm has no subjects; the risk difference is not computable",
     "un bras n'a aucun patient : la différence de risques n'est pas calculable"),
    ("2 stratum/strata without both arms dropped: site=SLS|sle=true, site=TNN|sle=true; no stratum has both arms "
     "and both outcomes; CMH not computable",
     "2 strate(s) sans les deux bras écartée(s) : site=SLS|sle=true, site=TNN|sle=true ; aucune strate n'a les "
     "deux bras et les deux résultats : test CMH non calculable"),
    ("no usable stratum; logistic regression not fitted", "aucune strate utilisable : régression logistique non ajustée"),
    ("no observations at W4, W8", "aucune observation à W4, W8"),
    ("log-rank test not computable (an arm is empty or no events)",
     "test du log-rank non calculable (un bras est vide ou aucun événement)"),
])
def test_the_analyses_notes_read_in_french_with_dates_in_words(note, french):
    from equipoise.stats.report_words import note_words

    assert note_words(note, "fr") == french and note_words(note, "en") == note
