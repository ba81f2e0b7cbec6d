"""The words of the statistician's report and the DSMB report, in English or French.

The renderers write English templates (`say("Responders, {arm}", lang, arm=...)`); this module
holds their French. The analyses' own notes are English sentences built from a few templates;
`note_words` says the ones it knows in French (an unknown note is shown as written). Dates read
"29 November 2026" / "29 novembre 2026". Pure: no Django, no catalogue.
"""

from __future__ import annotations

import datetime as dt
import re

FRENCH: dict[str, str] = {
    # cover and parts (DSMB)
    "Data Safety Monitoring Board report": "Rapport au comité de surveillance et de suivi (DSMB)",
    "Open and closed parts": "Parties ouverte et fermée",
    "Open part only": "Partie ouverte seulement",
    "CONFIDENTIAL — contains the closed part, for DSMB members only.":
        "CONFIDENTIEL — contient la partie fermée, réservée aux membres du DSMB.",
    "Data cut-off: {date}": "Date de gel des données : {date}",
    "Generated {date} · {parts} · {n} subjects randomized": "Produit le {date} · {parts} · {n} patients randomisés",
    "{trial} DSMB report, cut-off {date}": "{trial} rapport au DSMB, gel du {date}",
    "Open part (all arms pooled)": "Partie ouverte (bras regroupés)",
    "Recruitment": "Recrutement",
    "Cumulative randomizations per site and overall; dashed line: linear plan to {target}.":
        "Randomisations cumulées par centre et au total ; en pointillés : plan linéaire jusqu'à {target}.",
    "Participant flow (arms pooled)": "Flux des participants (bras regroupés)",
    "study treatment (arms pooled)": "traitement à l'étude (bras regroupés)",
    "CONSORT flow (arms pooled)": "Flux CONSORT (bras regroupés)",
    "CONSORT flow diagram, arms pooled.": "Diagramme de flux CONSORT, bras regroupés.",
    "Baseline characteristics": "Caractéristiques à l'inclusion",
    "Adverse events": "Événements indésirables",
    "All subjects": "Tous les patients",
    "Arm {code}": "Bras {code}",
    "Closed part — by coded arm, DSMB members only": "Partie fermée — par bras codé, membres du DSMB seulement",
    "Differences are Arm {first} minus Arm {second}; odds ratios Arm {first} vs Arm {second}. "
    "The code key is held by the unblinded statistician.":
        "Les différences sont Bras {first} moins Bras {second} ; les rapports de cotes Bras {first} contre "
        "Bras {second}. La clé du code est détenue par le statisticien non aveugle.",
    "Primary endpoint: CLASI-50 at week 16": "Critère principal : CLASI-50 à la semaine 16",
    "CLASI-50 at week 24 (ITT)": "CLASI-50 à la semaine 24 (ITT)",
    "Adverse events by arm": "Événements indésirables par bras",
    "Baseline characteristics by arm": "Caractéristiques à l'inclusion par bras",
    "Participant flow by arm": "Flux des participants par bras",
    "CONSORT flow diagram by coded arm.": "Diagramme de flux CONSORT par bras codé.",
    # statistician's report
    "final": "finale", "interim": "intermédiaire",
    "{trial}: {kind} statistical report": "{trial} : analyse statistique {kind}",
    "{trial} statistical report": "{trial} : analyse statistique",
    "Data cut-off {cutoff} · generated {date} · {n} randomized · treatment {treatment}, control {control}":
        "Gel des données le {cutoff} · produit le {date} · {n} randomisés · traitement {treatment}, "
        "contrôle {control}",
    "Secondary endpoints": "Critères secondaires",
    "Safety": "Tolérance",
    "Participant flow (CONSORT 2025)": "Flux des participants (CONSORT 2025)",
    "CONSORT flow diagram.": "Diagramme de flux CONSORT.",
    # binary analysis
    "Responders, {arm}": "Répondeurs, {arm}",
    "Risk difference ({treatment} − {control}), {confidence} CI ({method})":
        "Différence de risques ({treatment} − {control}), IC {confidence} ({method})",
    "{difference} points ({lower} to {upper})": "{difference} points ({lower} à {upper})",
    "CMH test stratified by randomization stratum ({n} strata)":
        "Test CMH stratifié sur la strate de randomisation ({n} strates)",
    "Mantel–Haenszel odds ratio, 95% CI": "Rapport de cotes de Mantel–Haenszel, IC 95 %",
    "Logistic regression adjusted for strata: odds ratio, 95% CI":
        "Régression logistique ajustée sur les strates : rapport de cotes, IC 95 %",
    "{value} ({lower} to {upper})": "{value} ({lower} à {upper})",
    "Classification of subjects": "Classement des patients",
    "Outcome": "Résultat",
    "CLASI-A fell by at least the threshold": "CLASI-A a baissé d'au moins le seuil",
    "CLASI-A fell by less than the threshold": "CLASI-A a baissé de moins que le seuil",
    "baseline CLASI-A is 0, so a percentage fall is undefined (non-responder)":
        "CLASI-A initial à 0, la baisse en pourcentage n'est pas définie (non-répondeur)",
    "no baseline CLASI-A (non-responder)": "pas de CLASI-A initial (non-répondeur)",
    "no CLASI at the assessment visit (non-responder)": "pas de CLASI à la visite d'évaluation (non-répondeur)",
    "stopped study drug for lack of efficacy or toxicity (non-responder)":
        "traitement à l'étude arrêté pour inefficacité ou toxicité (non-répondeur)",
    "received rescue systemic therapy (non-responder)": "traitement systémique de secours reçu (non-répondeur)",
    # primary
    "CLASI-50 at {visit} (ITT): {treatment} {t} vs {control} {c}": "CLASI-50 à {visit} (ITT) : {treatment} {t} contre "
                                                                    "{control} {c}",
    "; difference {difference} points (95% CI {lower} to {upper})":
        " ; différence {difference} points (IC 95 % {lower} à {upper})",
    "Interim analysis: {n} not yet evaluable": "Analyse intermédiaire : {n} pas encore évaluables",
    "({visit} window still open at the cut-off; left out, not counted as non-responders): ":
        "(fenêtre de {visit} encore ouverte au gel ; exclus, non comptés comme non-répondeurs) : ",
    "Intention to treat (non-responder rule)": "Intention de traiter (règle du non-répondeur)",
    "Per-protocol sensitivity analysis": "Analyse de sensibilité per protocole",
    # secondary
    "CLASI-A by visit (observed mean, 95% t CI)": "CLASI-A par visite (moyenne observée, IC t 95 %)",
    "Visit": "Visite",
    "Mean CLASI-A by visit and arm, 95% CI.": "CLASI-A moyen par visite et par bras, IC 95 %.",
    "Change in CLASI-A, mixed model for repeated measures ({model})":
        "Évolution du CLASI-A, modèle mixte pour mesures répétées ({model})",
    "random intercept per subject": "ordonnée à l'origine aléatoire par patient",
    "fallback: ANCOVA at each visit": "repli : ANCOVA à chaque visite",
    "not fitted": "non ajusté",
    "Arm effect, 95% CI": "Effet du bras, IC 95 %",
    "{subjects} subjects, {observations} observations.": "{subjects} patients, {observations} observations.",
    "Time to first CLASI-50": "Délai jusqu'au premier CLASI-50",
    "Log-rank χ² = {statistic}, p = {p}.": "Log-rank χ² = {statistic}, p = {p}.",
    "Kaplan–Meier cumulative proportion reaching CLASI-50 by arm.":
        "Proportion cumulée atteignant le CLASI-50 par bras (Kaplan–Meier).",
    "DLQI change from baseline": "Évolution du DLQI depuis l'inclusion",
    "{arm}: mean (SD)": "{arm} : moyenne (ET)",
    "Difference, 95% CI (Welch)": "Différence, IC 95 % (Welch)",
    "CLASI-A (mean, 95% CI)": "CLASI-A (moyenne, IC 95 %)",
    "{arm} (n={n}, events={events})": "{arm} (n={n}, événements={events})",
    "Weeks since randomization": "Semaines depuis la randomisation",
    "Proportion with CLASI-{fall}": "Proportion avec CLASI-{fall}",
    "Newcombe hybrid score interval": "intervalle score hybride de Newcombe",
    # safety table
    "Adverse events (safety population)": "Événements indésirables (population de tolérance)",
    "Subjects with ≥ 1 AE (events)": "Patients avec ≥ 1 EI (événements)",
    "Subjects without AE": "Patients sans EI",
    "Worst grade {grade}": "Grade le plus élevé {grade}",
    "Subjects with grade ≥ 3 AE (events)": "Patients avec EI de grade ≥ 3 (événements)",
    "Subjects with serious AE (events)": "Patients avec EI grave (événements)",
    "Deaths": "Décès",
    "Events of special interest: subjects (events)": "Événements d'intérêt particulier : patients (événements)",
}

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def french(lang: str) -> bool:
    return lang.startswith("fr")


def say(template: str, lang: str = "en", **values: object) -> str:
    """`template` in `lang`, filled with `values` (the caller escapes what goes into HTML)."""
    text = FRENCH.get(template, template) if french(lang) else template
    return text.format(**values) if values else text


def day(date: dt.date, lang: str = "en") -> str:
    """A date in words: "29 November 2026" / "29 novembre 2026"."""
    if french(lang):
        return f"{date.day} {MONTHS_FR[date.month - 1]} {date.year}"
    return f"{date.day} {date:%B} {date.year}"


def number(value: str, lang: str = "en") -> str:
    """A formatted number with the decimal comma in French ("12.5" → "12,5")."""
    return value.replace(".", ",") if french(lang) else value


def percent(fraction: float, lang: str = "en") -> str:
    """A whole percentage: "95%" / "95 %"."""
    return f"{fraction:.0%}".replace("%", "\u00a0%") if french(lang) else f"{fraction:.0%}"


# The analyses' notes (stats.primary, stats.secondary), as templates to their French.
_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Responder: CLASI-A at (?P<visit>\S+) fell by at least (?P<fall>\S+) from (?P<base>\S+)\."),
     "Répondeur : CLASI-A à {visit} en baisse d'au moins {fall} par rapport à {base}."),
    (re.compile(r"Non-responders \(ITT\): no CLASI at the visit, study drug stopped for (?P<reasons>.+), or rescue "
                r"systemic therapy\."),
     "Non-répondeurs (ITT) : pas de CLASI à la visite, traitement à l'étude arrêté ({reasons}), ou traitement "
     "systémique de secours."),
    (re.compile(r"Risk difference is (?P<t>\S+) minus (?P<c>\S+); odds ratios are (?P<t2>\S+) vs (?P<c2>\S+)\."),
     "La différence de risques est {t} moins {c} ; les rapports de cotes {t2} contre {c2}."),
    (re.compile(r"CMH test without continuity correction over the randomization strata\."),
     "Test CMH sans correction de continuité sur les strates de randomisation."),
    (re.compile(r"Final analysis: the non-responder rule applies to everyone randomized\."),
     "Analyse finale : la règle du non-répondeur s'applique à tous les randomisés."),
    (re.compile(r"Interim analysis at the cut-off (?P<date>\S+): (?P<n>\d+) subject\(s\) not yet evaluable "
                r"\((?P<visit>\S+) window still open, outcome not yet decided\) are left out, not counted as "
                r"non-responders \((?P<counts>.*)\)\."),
     "Analyse intermédiaire au gel du {date} : {n} patient(s) pas encore évaluable(s) (fenêtre de {visit} encore "
     "ouverte, résultat pas encore connu) sont exclus, non comptés comme non-répondeurs ({counts})."),
    (re.compile(r"Arm effect = (?P<t>\S+) minus (?P<c>\S+) in mean change from (?P<base>\S+)\."),
     "Effet du bras = {t} moins {c} sur l'évolution moyenne depuis {base}."),
    (re.compile(r"MixedLM, REML, random intercept per subject; Wald intervals\."),
     "MixedLM, REML, ordonnée à l'origine aléatoire par patient ; intervalles de Wald."),
    (re.compile(r"Event: first visit with CLASI-A at least (?P<fall>\S+) below (?P<base>\S+), at its study day; "
                r"otherwise censored at the last CLASI visit\. Observed data, no non-responder imputation\."),
     "Événement : première visite avec un CLASI-A inférieur d'au moins {fall} à {base}, à son jour d'étude ; "
     "sinon censuré à la dernière visite CLASI. Données observées, sans imputation en non-répondeur."),
    (re.compile(r"(?P<n>\d+) subject\(s\) with baseline CLASI-A 0 counted as non-responders \(percentage fall "
                r"undefined\)"),
     "{n} patient(s) avec un CLASI-A initial à 0 comptés comme non-répondeurs (baisse en pourcentage non définie)"),
    (re.compile(r"not analysable \(no baseline, baseline 0, or no later CLASI with a study day\): (?P<counts>.*)"),
     "non analysables (pas de valeur initiale, valeur initiale à 0 ou pas de CLASI ultérieur daté) : {counts}"),
    # What an analysis says when the data cannot support it (early interim cuts, small strata).
    (re.compile(r"(?P<n>\d+) stratum/strata without both arms dropped: (?P<strata>[^;]+); no stratum has both "
                r"arms and both outcomes; CMH not computable"),
     "{n} strate(s) sans les deux bras écartée(s) : {strata} ; aucune strate n'a les deux bras et les deux "
     "résultats : test CMH non calculable"),
    (re.compile(r"(?P<n>\d+) stratum/strata without both arms dropped: (?P<strata>[^;]+)"),
     "{n} strate(s) sans les deux bras écartée(s) : {strata}"),
    (re.compile(r"no stratum has both arms and both outcomes; CMH not computable"),
     "aucune strate n'a les deux bras et les deux résultats : test CMH non calculable"),
    (re.compile(r"no usable stratum; logistic regression not fitted"),
     "aucune strate utilisable : régression logistique non ajustée"),
    (re.compile(r"logistic regression failed \((?P<error>\w+)\): separation or collinearity"),
     "échec de la régression logistique ({error}) : séparation ou colinéarité"),
    (re.compile(r"the arm separates the outcome \(or the fit did not converge\): the adjusted odds ratio is not "
                r"estimable; rely on the risk difference and the CMH test"),
     "le bras sépare le résultat (ou l'ajustement n'a pas convergé) : le rapport de cotes ajusté n'est pas "
     "estimable ; se fier à la différence de risques et au test CMH"),
    (re.compile(r"an arm has no subjects; the risk difference is not computable"),
     "un bras n'a aucun patient : la différence de risques n'est pas calculable"),
    (re.compile(r"no observations at (?P<visits>.+)"), "aucune observation à {visits}"),
    (re.compile(r"too few data for a mixed model; nothing estimated"),
     "trop peu de données pour un modèle mixte : rien n'est estimé"),
    (re.compile(r"mixed model failed \((?P<error>.+)\)"), "échec du modèle mixte ({error})"),
    (re.compile(r"mixed model did not converge; per-visit ANCOVA \(change ~ treat \+ baseline\) reported instead"),
     "le modèle mixte n'a pas convergé : ANCOVA à chaque visite (évolution ~ bras + valeur initiale) présentée à "
     "la place"),
    (re.compile(r"log-rank test not computable \(no variance: the arms are never at risk together when events "
                r"occur\)"),
     "test du log-rank non calculable (variance nulle : les bras ne sont jamais à risque ensemble lors des "
     "événements)"),
    (re.compile(r"log-rank test not computable \(an arm is empty or no events\)"),
     "test du log-rank non calculable (un bras est vide ou aucun événement)"),
]


_STOP_REASONS = {"lack of efficacy or toxicity": "inefficacité ou toxicité"}
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_PERCENT = re.compile(r"(\d+)%")


def _note_value(value: str) -> str:
    """A value taken from an English note, said in French: dates in words, "50 %", "ou"."""
    if _ISO_DATE.fullmatch(value):
        return day(dt.date.fromisoformat(value), "fr")
    value = _PERCENT.sub("\\1\u00a0%", _STOP_REASONS.get(value, value))
    return value.replace(" or ", " ou ").replace("_", " ")


def note_words(note: str, lang: str = "en") -> str:
    """An analysis note in `lang` (as written when its wording is not known here)."""
    if not french(lang):
        return note
    for pattern, template in _NOTES:
        match = pattern.fullmatch(note)
        if match is not None:
            return template.format(**{k: _note_value(v) for k, v in match.groupdict().items()})
    return note

