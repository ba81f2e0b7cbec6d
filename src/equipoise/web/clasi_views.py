"""The CLASI entry page (grid, body map, live totals) and a subject's CLASI trajectory figure.

The generic form page hands any form whose instrument field is a CLASI to `clasi_entry`, after
its own access checks, so there is one URL per form and one access path. The grid posts one radio
per item, named by the item's key path in the data dictionary record (`regions.scalp.erythema`,
`mucous_membrane`, ...); `record_from_fields` rebuilds the record from them, and the record goes
through the one write path (`save_form`), which validates and scores it on the server. The page
therefore works without its script: `clasi.js` only shows the totals and shades the body map
while the assessor fills it in, for display; the stored totals are always the server's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.csp import csp_override

from equipoise.instruments.clasi import (
    ACTIVITY_MAX,
    AREA_ITEMS,
    AREAS,
    DAMAGE_MAX,
    LONG_DYSPIGMENTATION,
    NOT_ASSESSED,
    PATIENT_ITEMS,
    SCALP,
    SCALP_ITEMS,
    SEVERITY_BANDS,
    CLASIGaps,
    CLASIScore,
    activity_severity,
    clasi_gaps,
    score_clasi,
)
from equipoise.instruments.validation import InstrumentInputError
from equipoise.protocol.schema import Form
from equipoise.records.access import Rights, actor_for, subject_access
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import DataQuery, FormRecord, FormState, Subject, Visit
from equipoise.records.permissions import entry_permission, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.treatment.actions.dated_forms import save_dated_form
from equipoise.treatment.actions.deviations import days_outside
from equipoise.visits.localtime import trial_date
from equipoise.web.body_map import AREA_LABELS, body_map_svg
from equipoise.web.trajectory import TrajectoryPoint, assessment_study_day, trajectory_svg

CLASI_INSTRUMENT = "clasi"

# Scale wording (trial sheet §6) in our own short words: (value, short word, full wording).
SCALES: dict[str, dict[str, tuple[tuple[int, str, str], ...]]] = {
    "erythema": {
        "en": ((0, "none", "absent"), (1, "pink", "pink, faint erythema"), (2, "red", "red"),
               (3, "dark", "dark red, violaceous or crusted")),
        "fr": ((0, "absent", "absent"), (1, "rose", "rose, érythème pâle"), (2, "rouge", "rouge"),
               (3, "foncé", "rouge foncé, violacé ou croûteux")),
    },
    "scale": {
        "en": ((0, "none", "absent"), (1, "scale", "scale"),
               (2, "verruc.", "verrucous or hypertrophic")),
        "fr": ((0, "absent", "absent"), (1, "squame", "squames"),
               (2, "verruq.", "verruqueux ou hypertrophique")),
    },
    "dyspigmentation": {
        "en": ((0, "no", "absent"), (1, "yes", "present")),
        "fr": ((0, "non", "absente"), (1, "oui", "présente")),
    },
    "scarring": {
        "en": ((0, "none", "absent"), (1, "scar", "scarring"),
               (2, "severe", "severe atrophic scarring or panniculitis")),
        "fr": ((0, "absent", "absente"), (1, "cicatr.", "cicatrice"),
               (2, "sévère", "cicatrice atrophique sévère ou panniculite")),
    },
    "mucous_membrane": {
        "en": ((0, "no", "no mucous membrane lesions"), (1, "yes", "lesions or ulceration")),
        "fr": ((0, "non", "pas de lésion muqueuse"), (1, "oui", "lésions ou ulcérations")),
    },
    "recent_hair_loss": {
        "en": ((0, "no", "no"), (1, "yes", "yes")),
        "fr": ((0, "non", "non"), (1, "oui", "oui")),
    },
    "nonscarring_alopecia": {
        "en": ((0, "none", "absent"), (1, "diffuse", "diffuse, not inflammatory"),
               (2, "1 quad.", "patchy in one scalp quadrant"),
               (3, "> 1 quad.", "patchy in more than one quadrant")),
        "fr": ((0, "absente", "absente"), (1, "diffuse", "diffuse, non inflammatoire"),
               (2, "1 quadr.", "en plaques dans un quadrant du cuir chevelu"),
               (3, "> 1 quadr.", "en plaques dans plus d'un quadrant")),
    },
    "scarring_alopecia": {
        "en": ((0, "none", "absent"), (3, "1 quad.", "one quadrant"), (4, "2 quad.", "two quadrants"),
               (5, "3 quad.", "three quadrants"), (6, "whole", "the whole scalp")),
        "fr": ((0, "absente", "absente"), (3, "1 quadr.", "un quadrant"),
               (4, "2 quadr.", "deux quadrants"), (5, "3 quadr.", "trois quadrants"),
               (6, "totale", "tout le cuir chevelu")),
    },
}

ITEM_LABELS: dict[str, dict[str, str]] = {
    "erythema": {"en": "Erythema", "fr": "Érythème"},
    "scale": {"en": "Scale / hypertrophy", "fr": "Squames / hypertrophie"},
    "dyspigmentation": {"en": "Dyspigmentation", "fr": "Dyschromie"},
    "scarring": {"en": "Scarring / atrophy / panniculitis", "fr": "Cicatrice / atrophie / panniculite"},
    "mucous_membrane": {"en": "Mucous membrane lesions", "fr": "Atteinte muqueuse"},
    "recent_hair_loss": {"en": "Recent hair loss (last 30 days)", "fr": "Chute de cheveux récente (30 derniers jours)"},
    "nonscarring_alopecia": {"en": "Non-scarring alopecia", "fr": "Alopécie non cicatricielle"},
    "scarring_alopecia": {"en": "Scarring alopecia of the scalp", "fr": "Alopécie cicatricielle du cuir chevelu"},
    LONG_DYSPIGMENTATION: {
        "en": "Dyspigmentation usually lasts 12 months or more (dyspigmentation counts double)",
        "fr": "La dyschromie dure habituellement 12 mois ou plus (la dyschromie compte double)",
    },
}

SEVERITY_LABELS: dict[str, dict[str, str]] = {
    "mild": {"en": "mild", "fr": "légère"},
    "moderate": {"en": "moderate", "fr": "modérée"},
    "severe": {"en": "severe", "fr": "sévère"},
}

WORDS: dict[str, dict[str, str]] = {
    "area": {"en": "Area", "fr": "Zone"},
    "activity": {"en": "Activity", "fr": "Activité"},
    "damage": {"en": "Damage", "fr": "Séquelles"},
    "once": {"en": "Once per patient", "fr": "Une fois par patient"},
    "severity": {"en": "Severity", "fr": "Sévérité"},
    "scalp_scarring": {"en": "see scarring alopecia", "fr": "voir alopécie cicatricielle"},
    "reason": {"en": "Reason for change", "fr": "Motif de la modification"},
    "save": {"en": "Save CLASI", "fr": "Enregistrer le CLASI"},
    "saved": {"en": "CLASI saved.", "fr": "CLASI enregistré."},
    "errors": {"en": "Nothing was saved. Please correct:", "fr": "Rien n'a été enregistré. À corriger :"},
    "live": {"en": "computed on this tablet while you fill in; the server recomputes on save",
             "fr": "calculé sur la tablette pendant la saisie ; le serveur recalcule à l'enregistrement"},
    "stored": {"en": "totals stored by the server", "fr": "totaux enregistrés par le serveur"},
    "read_only": {"en": "Read only", "fr": "Lecture seule"},
    "scale_wording": {"en": "Scales", "fr": "Échelles"},
    "whole_number": {"en": "must be a whole number", "fr": "doit être un nombre entier"},
    "not_an_item": {"en": "is not a CLASI item", "fr": "n'est pas un item du CLASI"},
    "not_assessed": {"en": "not assessed", "fr": "non évaluée"},
    "not_assessed_help": {"en": "Tick only if this area could not be examined.",
                          "fr": "À cocher seulement si la zone n'a pas pu être examinée."},
    "both": {"en": "is marked not assessed but has scores: untick one or clear the other",
             "fr": "est marquée non évaluée mais a des scores : décochez l'un ou effacez l'autre"},
    "unknown_area": {"en": "is not a CLASI area", "fr": "n'est pas une zone du CLASI"},
    "complete_status": {"en": "All areas filled in.", "fr": "Toutes les zones sont remplies."},
    "incomplete": {"en": "Incomplete", "fr": "Incomplet"},
    "empty_areas": {"en": "area(s) still empty", "fr": "zone(s) encore vide(s)"},
    "empty_items": {"en": "item(s) still empty", "fr": "item(s) encore vide(s)"},
    "no_total_not_assessed": {
        "en": "No total: an area was not assessed.",
        "fr": "Pas de total : une zone n'a pas été évaluée."},
    "partial_sum": {"en": "sum of the items filled so far, not a CLASI total",
                    "fr": "somme des items déjà remplis, pas un total CLASI"},
    "cannot_complete": {
        "en": "This CLASI cannot be completed yet. Score or mark as not assessed:",
        "fr": "Ce CLASI ne peut pas encore être terminé. À coter ou à marquer non évaluée :"},
    "cannot_complete_fields": {"en": "This CLASI cannot be completed yet. Fill in:",
                               "fr": "Ce CLASI ne peut pas encore être terminé. À remplir :"},
    "assessment_date": {"en": "Date of the assessment", "fr": "Date de l'évaluation"},
    "assessor": {"en": "Assessed by", "fr": "Évalué par"},
    "future_date": {"en": "cannot be in the future", "fr": "ne peut pas être dans le futur"},
    "bad_date": {"en": "must be a date", "fr": "doit être une date"},
    "outside_window": {"en": "is {n} day(s) outside the visit window ({start} to {end}): tick the confirmation to "
                             "record it as a protocol deviation",
                       "fr": "est à {n} jour(s) hors de la fenêtre de la visite (du {start} au {end}) : cochez la "
                             "confirmation pour l'enregistrer comme déviation au protocole"},
    "confirm_window": {"en": "Outside the window: I confirm this date (recorded as a protocol deviation)",
                       "fr": "Hors fenêtre : je confirme cette date (enregistrée comme déviation au protocole)"},
    "query_whole": {"en": "the whole assessment", "fr": "l'évaluation entière"},
    "open_query": {"en": "open query", "fr": "question ouverte"},
}

_INTEGER = re.compile(r"^-?[0-9]+$")


def _lang() -> str:
    return "fr" if (get_language() or "fr").startswith("fr") else "en"


def is_clasi_form(form: Form) -> bool:
    """Whether a protocol form is entered on the CLASI page (it holds a CLASI instrument field)."""
    return any(f.type == "instrument" and f.instrument == CLASI_INSTRUMENT for f in form.fields())


def _clasi_field(form: Form) -> str:
    return next(f.name for f in form.fields() if f.type == "instrument" and f.instrument == CLASI_INSTRUMENT)


def derived_names(form: Form) -> tuple[str | None, str | None]:
    """The names under which a CLASI form stores its CLASI-A and CLASI-D (`derived:` in its YAML)."""
    by_function = {d.function: d.name for d in form.derived}
    return by_function.get("clasi.activity"), by_function.get("clasi.damage")


def area_item_names() -> list[str]:
    """Every per-area input name, `regions.<area>.<item>`, in form order (scalp without scarring)."""
    return [f"regions.{area}.{item}" for area in AREAS
            for item in (SCALP_ITEMS if area == SCALP else AREA_ITEMS)]


def record_from_fields(post: Mapping[str, str], *, language: str = "en") -> tuple[dict[str, Any], dict[str, str]]:
    """Rebuild a CLASI record (data dictionary shape) from the entry page's posted fields.

    Returns (record, errors by key). An item left blank is left out of the record: it stays empty
    (the form cannot be completed until every area is scored or ticked "not assessed", posted as
    `not_assessed` = area key); text that is not a whole number, or a posted `regions.*` name that is
    not a CLASI item (the scalp has no scarring), is an error naming the key. An area both ticked
    and scored is an error. Scales are checked by `score_clasi` on the write path, not here, so the
    rule lives in one place.
    """
    lang = "fr" if language.startswith("fr") else "en"
    known = set(area_item_names())
    errors: dict[str, str] = {}
    record: dict[str, Any] = {"regions": {}}

    def number(name: str) -> int | None:
        text = (post.get(name) or "").strip()
        if not text:
            return None
        if not _INTEGER.match(text):
            errors[name] = f"{name} = {text!r} {WORDS['whole_number'][lang]}"
            return None
        return int(text)

    for name in sorted(k for k in post if k.startswith("regions.") and k not in known):
        errors[name] = f"{name} {WORDS['not_an_item'][lang]}"
    for name in area_item_names():
        _, area, item = name.split(".")
        value = number(name)
        if value is not None:
            record["regions"].setdefault(area, {})[item] = value
    for name in PATIENT_ITEMS:
        value = number(name)
        if value is not None:
            record[name] = value
    record[LONG_DYSPIGMENTATION] = post.get(LONG_DYSPIGMENTATION, "") in ("true", "on", "1")
    getlist = getattr(post, "getlist", None)
    ticked = getlist(NOT_ASSESSED) if getlist else ([post[NOT_ASSESSED]] if post.get(NOT_ASSESSED) else [])
    not_assessed = []
    for area in ticked:
        if area not in AREAS:
            errors[NOT_ASSESSED] = f"{NOT_ASSESSED} = {area!r} {WORDS['unknown_area'][lang]}"
        elif area in record["regions"]:
            errors[f"regions.{area}"] = f"{AREA_LABELS[area][lang]} {WORDS['both'][lang]}"
        elif area not in not_assessed:
            not_assessed.append(area)
    if not_assessed:
        record[NOT_ASSESSED] = [a for a in AREAS if a in not_assessed]
    return record, errors


def _value(record: Mapping[str, Any], *path: str) -> Any:
    """The value at `path`, or None when the item is still empty (nothing is pre-selected)."""
    node: Any = record
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _choices(item: str, name: str, current: Any, lang: str) -> list[dict[str, Any]]:
    return [{"value": value, "short": short, "long": wording, "checked": current is not None and str(current) == str(value),
             "id": f"c-{name.replace('.', '-')}-{value}"}
            for value, short, wording in SCALES[item][lang]]


def _grid(record: Mapping[str, Any], errors: Mapping[str, str], lang: str,
          score: CLASIScore | None, queried: Collection[str] = frozenset()) -> list[dict[str, Any]]:
    rows = []
    not_assessed = record.get(NOT_ASSESSED) or []
    for area in AREAS:
        cells: list[dict[str, Any] | None] = []
        for item in AREA_ITEMS:
            name = f"regions.{area}.{item}"
            if area == SCALP and item not in SCALP_ITEMS:
                cells.append(None)
                continue
            cells.append({
                "name": name, "item": item, "error": errors.get(name), "queried": name in queried,
                "group_label": f"{AREA_LABELS[area][lang]} — {ITEM_LABELS[item][lang]}",
                "choices": _choices(item, name, _value(record, "regions", area, item), lang),
            })
        filled = isinstance(record.get("regions"), Mapping) and bool(record["regions"].get(area))
        rows.append({"area": area, "label": AREA_LABELS[area][lang], "cells": cells,
                     "not_assessed": area in not_assessed, "error": errors.get(f"regions.{area}"),
                     "activity": score.area(area).activity if score and filled else None})
    return rows


def _patient_items(record: Mapping[str, Any], errors: Mapping[str, str], lang: str,
                   queried: Collection[str] = frozenset()) -> list[dict[str, Any]]:
    return [{"name": name, "label": ITEM_LABELS[name][lang], "error": errors.get(name), "queried": name in queried,
             "part": "damage" if name == "scarring_alopecia" else "activity",
             "choices": _choices(name, name, _value(record, name), lang)}
            for name in PATIENT_ITEMS]


def _score_or_none(record: Mapping[str, Any]) -> CLASIScore | None:
    try:
        return score_clasi(record)
    except InstrumentInputError:
        return None


def _gaps_or_none(record: Mapping[str, Any]) -> CLASIGaps | None:
    try:
        return clasi_gaps(record)
    except InstrumentInputError:
        return None


def gap_lines(gaps: CLASIGaps, lang: str) -> list[str]:
    """What is still empty, in plain words: one line per area, then the once-per-patient items."""
    lines = [AREA_LABELS[a][lang] for a in gaps.empty_areas]
    lines += [f"{AREA_LABELS[a][lang]} — {', '.join(ITEM_LABELS[i][lang] for i in items)}"
              for a, items in gaps.partial_areas]
    lines += [ITEM_LABELS[n][lang] for n in gaps.missing_patient_items]
    return lines


def completion_refusal(form: Form, record: FormRecord, language: str) -> str | None:
    """Why a CLASI form cannot be completed yet, in the page's words (None when nothing is empty)."""
    lang = "fr" if language.startswith("fr") else "en"
    data = record.data or {}
    gaps = _gaps_or_none(data.get(_clasi_field(form)) or {})
    if gaps is not None and not gaps.complete:
        return f"{WORDS['cannot_complete'][lang]} {'; '.join(gap_lines(gaps, lang))}."
    empty = [f.label.get(lang) for f in form.fields() if f.required and data.get(f.name) in (None, "")]
    if empty:
        return f"{WORDS['cannot_complete_fields'][lang]} {'; '.join(empty)}."
    return None


def _status(gaps: CLASIGaps | None, lang: str) -> dict[str, Any]:
    """The line under the totals: complete, or what is still empty, or why there is no total."""
    if gaps is None:
        return {"complete": False, "text": WORDS["incomplete"][lang]}
    if not gaps.complete:
        items = sum(len(i) for _, i in gaps.partial_areas) + len(gaps.missing_patient_items)
        parts = [f"{len(gaps.empty_areas)} {WORDS['empty_areas'][lang]}"] if gaps.empty_areas else []
        parts += [f"{items} {WORDS['empty_items'][lang]}"] if items else []
        return {"complete": False, "text": f"{WORDS['incomplete'][lang]} : {', '.join(parts)}" if lang == "fr"
                else f"{WORDS['incomplete'][lang]}: {', '.join(parts)}"}
    if gaps.not_assessed:
        return {"complete": True, "scorable": False, "text": WORDS["no_total_not_assessed"][lang]}
    return {"complete": True, "scorable": True, "text": WORDS["complete_status"][lang]}


def query_targets(form: Form, lang: str) -> list[dict[str, Any]]:
    """What a reviewer may raise a query on: each plain field, the whole CLASI, or one CLASI item."""
    field = _clasi_field(form)
    out: list[dict[str, Any]] = []
    for f in form.fields():
        if f.name != field:
            out.append({"f": {"name": f.name}, "label": f.label.get(lang)})
    out.append({"f": {"name": field}, "label": f"CLASI — {WORDS['query_whole'][lang]}"})
    for area in AREAS:
        for item in (SCALP_ITEMS if area == SCALP else AREA_ITEMS):
            out.append({"f": {"name": f"{field}.regions.{area}.{item}"},
                        "label": f"{AREA_LABELS[area][lang]} — {ITEM_LABELS[item][lang]}"})
    for name in (*PATIENT_ITEMS, LONG_DYSPIGMENTATION):
        out.append({"f": {"name": f"{field}.{name}"}, "label": ITEM_LABELS[name][lang]})
    return out


def _other_fields(form: Form) -> list[str]:
    """The CLASI form's fields other than the record: the assessment date and the assessor."""
    field = _clasi_field(form)
    return [f.name for f in form.fields() if f.name != field]


def _posted_fields(request: SignedInRequest, form: Form, lang: str, errors: dict[str, str]) -> dict[str, Any]:
    """The date and the assessor as posted (blank left out: still empty); a future date is refused."""
    out: dict[str, Any] = {}
    for f in form.fields():
        if f.name == _clasi_field(form):
            continue
        text = (request.POST.get(f.name) or "").strip()
        if not text:
            continue
        if f.type == "date":
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                errors[f.name] = f"{f.label.get(lang)} {WORDS['bad_date'][lang]}"
                continue
            if day > trial_date(timezone.now()):
                errors[f.name] = f"{f.label.get(lang)} {WORDS['future_date'][lang]}"
        out[f.name] = text
    return out


def clasi_entry(
    request: SignedInRequest, subject: Subject, rights: Rights, visit: Visit, form: Form,
    record: FormRecord | None,
) -> HttpResponse:
    """Show (GET) or save (POST) a CLASI form; called by the form page after its access checks."""
    lang = _lang()
    field = _clasi_field(form)
    stored = (record.data.get(field) or {}) if record else {}
    values: Mapping[str, Any] = stored
    others: dict[str, Any] = {k: v for k, v in (record.data if record else {}).items() if k != field}
    errors: dict[str, str] = {}
    window_question = False
    may_enter = may(rights, entry_permission(form.id))  # the same table the save action asks
    editable = may_enter and (record is None or record.state == FormState.DRAFT)
    if record is None and editable and "assessor" in _other_fields(form):
        others["assessor"] = request.user.get_full_name() or request.user.get_username()
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied("read-only access")
        posted, errors = record_from_fields(request.POST, language=lang)
        others = _posted_fields(request, form, lang, errors)
        values = posted
        confirmed = request.POST.get("confirm_outside_window") == "on"
        assessed_on = _date_or_none(others.get("assessment_date"))
        off = days_outside(visit, assessed_on) if assessed_on and visit.scheduled else 0
        if off and not confirmed and "assessment_date" not in errors:
            errors["assessment_date"] = WORDS["outside_window"][lang].format(
                n=abs(off), start=visit.earliest_date, end=visit.latest_date)
            window_question = True
        if not errors:
            actor = actor_for(request.user, rights, subject.site, request.request_id)
            try:
                # One action: the assessment and, when confirmed outside the window, its deviation.
                save_dated_form(actor, subject, visit, form.id, {field: posted, **others},
                                done_on=assessed_on, what="CLASI assessment",
                                confirmed=confirmed, reason=request.POST.get("reason", ""))
            except ActionRefused as exc:
                errors = exc.messages_by_field()
            else:
                messages.success(request, WORDS["saved"][lang])
                return redirect(request.path)
    score = _score_or_none(values)
    gaps = _gaps_or_none(values)
    status = _status(gaps, lang)
    if not editable and record is not None and status.get("scorable"):
        a_name, d_name = derived_names(form)
        totals = {"a": record.derived.get(a_name), "d": record.derived.get(d_name)}
    else:
        totals = {"a": score.activity if score else None, "d": score.damage if score else None}
    severity = activity_severity(totals["a"]) if status.get("scorable") and isinstance(totals["a"], int) else None
    bands = [[low, high, SEVERITY_LABELS[label][lang]] for low, high, label in SEVERITY_BANDS]
    queries = list(DataQuery.objects.filter(record=record)) if record else []
    queried = {q.field.removeprefix(f"{field}.") for q in queries if q.status != "closed"}
    fields = {f.name: f for f in form.fields()}
    return render(request, "web/clasi_entry.html", {
        "subject": subject, "visit": visit, "form": form, "record": record, "rights": rights,
        "title": form.title.get(lang), "t": {k: v[lang] for k, v in WORDS.items()},
        "items": {k: v[lang] for k, v in ITEM_LABELS.items()},
        "scales": [(ITEM_LABELS[k][lang], v[lang]) for k, v in SCALES.items()],
        "rows": _grid(values, errors, lang, score, queried),
        "patient_items": _patient_items(values, errors, lang, queried),
        "long_dyspigmentation": {"name": LONG_DYSPIGMENTATION, "checked": bool(_value(values, LONG_DYSPIGMENTATION)),
                                 "label": ITEM_LABELS[LONG_DYSPIGMENTATION][lang]},
        "assessment": [{"name": name, "label": fields[name].label.get(lang), "type": fields[name].type,
                        "required": fields[name].required, "value": others.get(name) or "",
                        "error": errors.get(name)} for name in _other_fields(form)],
        "today": trial_date(timezone.now()).isoformat(), "window_question": window_question,
        "body_map": mark_safe(body_map_svg(score, language=lang)),  # every text escaped by body_map
        "totals": totals, "severity": SEVERITY_LABELS[severity][lang] if severity else None, "status": status,
        "status_words": {k: WORDS[k][lang] for k in ("incomplete", "empty_areas", "empty_items", "complete_status",
                                                      "no_total_not_assessed")},
        "bands": bands, "activity_max": ACTIVITY_MAX, "damage_max": DAMAGE_MAX, "errors": errors, "form_error": errors.get("form"),
        "editable": editable, "needs_reason": record is not None and record.revision >= 1,
        "sections": [{"title": form.title.get(lang), "fields": query_targets(form, lang)}],
        "revisions": record.revisions.select_related("user").all() if record else [],
        "queries": queries,
    }, status=400 if errors else 200)  # a refused save: the page again, as typed, with the errors


def _date_or_none(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


SVG_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "img-src": [CSP.NONE]}
"""The trajectory SVG styles its own marks inline (matplotlib) and runs nothing."""


@csp_override(SVG_CSP)
def clasi_trajectory(request: SignedInRequest, code: str) -> HttpResponse:
    """`/subjects/<code>/clasi-trajectory.svg`: CLASI-A and CLASI-D of every CLASI form, by study day."""
    subject, _ = subject_access(request.user, code, request_id=request.request_id)
    protocol = protocol_of(current_version(subject.protocol_id))
    form_ids = [f.id for f in protocol.forms if is_clasi_form(f)]
    baseline_id = next(v.id for v in protocol.schedule.visits if v.kind == "baseline")
    primary = next(v for v in protocol.schedule.visits if v.primary_endpoint)
    names = {form_id: derived_names(protocol.form(form_id)) for form_id in form_ids}
    records = list(FormRecord.objects.filter(subject=subject, form_id__in=form_ids).select_related("visit"))
    baseline_visit = subject.visits.filter(visit_id=baseline_id, scheduled=True).first()
    randomized_on = (baseline_visit.done_date or baseline_visit.target_date) if baseline_visit else None
    points, baseline_a = [], None
    for r in records:
        day = assessment_study_day(assessed=_date_or_none(r.data.get("assessment_date")),
                                   done=r.visit.done_date, randomized_on=randomized_on)
        if day is None:
            continue
        a_name, d_name = names[r.form_id]
        points.append(TrajectoryPoint(r.visit.visit_id, day, r.derived.get(a_name), r.derived.get(d_name)))
        if baseline_visit is not None and r.visit_id == baseline_visit.pk:
            baseline_a = r.derived.get(a_name)
    svg = trajectory_svg(points, baseline_a=baseline_a, primary_day=primary.target_day,
                         primary_label=primary.id, language=_lang())
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
