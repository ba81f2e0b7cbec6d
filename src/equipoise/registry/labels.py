"""Words of the public trial page, in French and English.

The protocol stores registry codes (`PHASE3`, `OUTCOMES_ASSESSOR`); people read labels. The
same code can mean different things in different lists (`OTHER` is a funder class, a primary
purpose and an arm type), so labels are looked up by family and code. A missing label raises
`KeyError` naming both, rather than showing a raw code to the public.
"""

from __future__ import annotations

import datetime as dt

LANGUAGES = ("fr", "en")

# family -> code -> (English, French)
ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "phase": {
        "EARLY_PHASE1": ("Early phase 1", "Phase 1 précoce"),
        "PHASE1": ("Phase 1", "Phase 1"),
        "PHASE2": ("Phase 2", "Phase 2"),
        "PHASE3": ("Phase 3", "Phase 3"),
        "PHASE4": ("Phase 4", "Phase 4"),
        "NA": ("Not applicable", "Sans objet"),
    },
    "status": {
        "NOT_YET_RECRUITING": ("Not yet recruiting", "Pas encore en recrutement"),
        "RECRUITING": ("Recruiting", "En recrutement"),
        "ENROLLING_BY_INVITATION": ("Enrolling by invitation", "Inclusion sur invitation"),
        "ACTIVE_NOT_RECRUITING": ("Active, not recruiting", "En cours, recrutement terminé"),
        "SUSPENDED": ("Suspended", "Suspendue"),
        "TERMINATED": ("Terminated early", "Arrêtée prématurément"),
        "COMPLETED": ("Completed", "Terminée"),
        "WITHDRAWN": ("Withdrawn", "Retirée"),
    },
    "study_type": {
        "INTERVENTIONAL": ("Interventional (clinical trial)", "Interventionnelle (essai clinique)"),
        "OBSERVATIONAL": ("Observational", "Observationnelle"),
        "EXPANDED_ACCESS": ("Expanded access", "Accès élargi"),
    },
    "funder": {
        "NIH": ("US National Institutes of Health", "Instituts nationaux de la santé des États-Unis"),
        "FED": ("US federal agency", "Agence fédérale des États-Unis"),
        "OTHER_GOV": ("Other government agency", "Autre agence publique"),
        "INDIV": ("Individual", "Particulier"),
        "INDUSTRY": ("Industry", "Industrie"),
        "NETWORK": ("Network", "Réseau"),
        "AMBIG": ("Ambiguous", "Ambigu"),
        "OTHER": ("Other (academic, hospital, foundation)",
                  "Autre (académique, hôpital, fondation)"),
        "UNKNOWN": ("Unknown", "Inconnu"),
    },
    "sex": {
        "ALL": ("All", "Tous"),
        "FEMALE": ("Female", "Femmes"),
        "MALE": ("Male", "Hommes"),
    },
    "yes_no": {
        "true": ("Yes", "Oui"),
        "false": ("No", "Non"),
    },
    "date_type": {
        "ACTUAL": ("actual", "réelle"),
        "ESTIMATED": ("estimated", "estimée"),
    },
    "enrollment_type": {
        "ACTUAL": ("Actual", "Réel"),
        "ESTIMATED": ("Estimated", "Estimé"),
    },
    "primary_purpose": {
        "TREATMENT": ("Treatment", "Traitement"),
        "PREVENTION": ("Prevention", "Prévention"),
        "DIAGNOSTIC": ("Diagnostic", "Diagnostic"),
        "SUPPORTIVE_CARE": ("Supportive care", "Soins de support"),
        "SCREENING": ("Screening", "Dépistage"),
        "HEALTH_SERVICES_RESEARCH": ("Health services research", "Recherche sur les services de santé"),
        "BASIC_SCIENCE": ("Basic science", "Recherche fondamentale"),
        "DEVICE_FEASIBILITY": ("Device feasibility", "Faisabilité d'un dispositif"),
        "OTHER": ("Other", "Autre"),
    },
    "allocation": {
        "RANDOMIZED": ("Randomized", "Randomisé"),
        "NON_RANDOMIZED": ("Non-randomized", "Non randomisé"),
        "NA": ("Not applicable", "Sans objet"),
    },
    "intervention_model": {
        "SINGLE_GROUP": ("Single group", "Groupe unique"),
        "PARALLEL": ("Parallel groups", "Groupes parallèles"),
        "CROSSOVER": ("Crossover", "Essai croisé"),
        "FACTORIAL": ("Factorial", "Plan factoriel"),
        "SEQUENTIAL": ("Sequential", "Séquentiel"),
    },
    "masking": {
        "NONE": ("None (open label)", "Aucun (ouvert)"),
        "SINGLE": ("Single", "Simple aveugle"),
        "DOUBLE": ("Double", "Double aveugle"),
        "TRIPLE": ("Triple", "Triple aveugle"),
        "QUADRUPLE": ("Quadruple", "Quadruple aveugle"),
    },
    "who_masked": {
        "PARTICIPANT": ("Participant", "Participant"),
        "CARE_PROVIDER": ("Care provider", "Soignant"),
        "INVESTIGATOR": ("Investigator", "Investigateur"),
        "OUTCOMES_ASSESSOR": ("Outcomes assessor", "Évaluateur des critères"),
    },
    "arm_type": {
        "EXPERIMENTAL": ("Experimental", "Expérimental"),
        "ACTIVE_COMPARATOR": ("Active comparator", "Comparateur actif"),
        "PLACEBO_COMPARATOR": ("Placebo comparator", "Comparateur placebo"),
        "NO_INTERVENTION": ("No intervention", "Sans intervention"),
        "OTHER": ("Other", "Autre"),
    },
    "intervention_type": {
        "DRUG": ("Drug", "Médicament"),
        "BIOLOGICAL": ("Biological", "Produit biologique"),
        "DEVICE": ("Device", "Dispositif"),
        "PROCEDURE": ("Procedure", "Procédure"),
        "OTHER": ("Other", "Autre"),
    },
    "intervention_role": {
        "study_drug": ("Study drug", "Traitement étudié"),
        "auxiliary": ("Given with it", "Traitement associé"),
    },
    "site_status": {
        "not_yet_recruiting": ("Not yet recruiting", "Pas encore en recrutement"),
        "recruiting": ("Recruiting", "En recrutement"),
        "completed": ("Completed", "Terminé"),
        "withdrawn": ("Withdrawn", "Retiré"),
    },
}

# Headings and phrases of the page: key -> (English, French).
PHRASES: dict[str, tuple[str, str]] = {
    "status": ("Status and phase", "Statut et phase"),
    "overall_status": ("Status", "Statut"),
    "phase": ("Phase", "Phase"),
    "start_date": ("Study start", "Début de l'étude"),
    "primary_completion_date": ("Primary completion", "Fin de l'étude principale"),
    "completion_date": ("Study completion", "Fin de l'étude"),
    "conditions": ("Conditions", "Pathologies"),
    "keywords": ("Keywords", "Mots-clés"),
    "treatments": ("Treatments", "Traitements"),
    "arm_type": ("Group type", "Type de groupe"),
    "regimen": ("Regimen", "Posologie"),
    "treatment_weeks": ("Treatment duration", "Durée du traitement"),
    "study_type": ("Study type", "Type d'étude"),
    "funding": ("Funding", "Financement"),
    "funder": ("Funder type", "Type de financeur"),
    "sponsor": ("Sponsor", "Promoteur"),
    "collaborators": ("Collaborators", "Collaborateurs"),
    "identifiers": ("Identifiers", "Identifiants"),
    "nct_id": ("ClinicalTrials.gov", "ClinicalTrials.gov"),
    "org_study_id": ("Sponsor's study id", "Identifiant du promoteur"),
    "secondary_ids": ("Other identifiers", "Autres identifiants"),
    "acronym": ("Acronym", "Acronyme"),
    "about": ("About this study", "À propos de cette étude"),
    "enrollment": ("Participants", "Participants"),
    "enrollment_type": ("Enrollment", "Effectif"),
    "eligibility": ("Who can take part", "Qui peut participer"),
    "sex": ("Sex", "Sexe"),
    "ages": ("Ages", "Âges"),
    "healthy_volunteers": ("Healthy volunteers accepted", "Volontaires sains acceptés"),
    "inclusion": ("Inclusion criteria", "Critères d'inclusion"),
    "exclusion": ("Exclusion criteria", "Critères de non-inclusion"),
    "design": ("Study design", "Plan de l'étude"),
    "primary_purpose": ("Primary purpose", "Objectif principal"),
    "allocation": ("Allocation", "Répartition"),
    "intervention_model": ("Intervention model", "Modèle d'intervention"),
    "masking": ("Masking", "Insu"),
    "who_masked": ("Who is masked", "Qui est en aveugle"),
    "outcomes": ("Outcomes measured", "Critères de jugement"),
    "time_frame": ("Time frame", "Calendrier"),
    "primary_outcomes": ("Primary outcome", "Critère principal"),
    "secondary_outcomes": ("Secondary outcomes", "Critères secondaires"),
    "contacts": ("Central contacts", "Contacts centraux"),
    "sites": ("Research sites", "Centres de recherche"),
    "assumptions": ("Awaiting sponsor confirmation", "En attente de confirmation du promoteur"),
    "assumptions_intro": (
        "These items were not stated in the public record; they are shown as assumed until the sponsor confirms them.",
        "Ces éléments ne figurent pas dans la fiche publique ; ils sont présentés comme des hypothèses jusqu'à confirmation par le promoteur.",
    ),
    "pending_intro": (
        "Text still owed by the sponsor:",
        "Texte encore attendu du promoteur :",
    ),
    "assumption_mark": ("Assumption, to be confirmed", "Hypothèse à confirmer"),
    "pending_mark": ("Awaiting sponsor's text", "Texte attendu du promoteur"),
    "none": ("None", "Aucune"),
    "language": ("Language", "Langue"),
    "on_this_page": ("On this page", "Sur cette page"),
    "site": ("Site", "Centre"),
    "criterion": ("Criterion", "Critère"),
    "endpoint": ("Outcome", "Critère de jugement"),
    "weeks": ("weeks", "semaines"),
    # French typography puts a space before a colon.
    "colon": (": ", " : "),
}

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    if language not in LANGUAGES:
        raise KeyError(f"language {language!r} is not one of {LANGUAGES}")
    return pair[1] if language == "fr" else pair[0]


def enum_label(family: str, code: str, language: str) -> str:
    """The label of `code` in list `family`; `KeyError` naming both when there is none."""
    try:
        pair = ENUMS[family][code]
    except KeyError:
        raise KeyError(f"no label for {family} code {code!r}") from None
    return _pick(pair, language)


def phrase(key: str, language: str) -> str:
    """A heading or fixed phrase of the page."""
    try:
        pair = PHRASES[key]
    except KeyError:
        raise KeyError(f"no phrase {key!r}") from None
    return _pick(pair, language)


def long_date(value: dt.date, language: str) -> str:
    """`1 octobre 2025` / `October 1, 2025`."""
    month = _MONTHS[language][value.month - 1]
    if language == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def enrollment_phrase(participants: int, groups: int, language: str) -> str:
    """`122 participants in 2 patient groups` / `122 participants dans 2 groupes de patients`."""
    people = "participant" if participants == 1 else "participants"
    english = f"{participants} {people} in {groups} patient group{'' if groups == 1 else 's'}"
    french = f"{participants} {people} dans {groups} groupe{'' if groups == 1 else 's'} de patients"
    return _pick((english, french), language)


def ages_phrase(minimum: int, maximum: int | None, language: str) -> str:
    """`18 years and older` / `18 ans et plus`, or a closed range."""
    if maximum is None:
        return _pick((f"{minimum} years and older", f"{minimum} ans et plus"), language)
    return _pick((f"{minimum} to {maximum} years", f"{minimum} à {maximum} ans"), language)
