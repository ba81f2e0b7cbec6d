"""Plain-words reasons for each criterion result, in French and English.

Built from the protocol itself (criterion text, field labels, choice labels, units), so an
amendment that rewords a criterion rewords its reasons too. A criterion may carry its own
`explain` text per status in the protocol, which then replaces the criterion text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from equipoise.eligibility.evaluator import CriterionResult
from equipoise.eligibility.record import Value
from equipoise.protocol.schema import FormField

LANGUAGES = ("fr", "en")

_HEAD = {
    "en": {("inclusion", "met"): "Met", ("inclusion", "not_met"): "Not met",
           ("exclusion", "met"): "Excluded", ("exclusion", "not_met"): "Does not apply",
           "unknown": "Not decided yet"},
    "fr": {("inclusion", "met"): "Rempli", ("inclusion", "not_met"): "Non rempli",
           ("exclusion", "met"): "Exclut", ("exclusion", "not_met"): "Ne s'applique pas",
           "unknown": "Pas encore décidé"},
}
_WORDS = {
    "en": {"values": "Values", "missing": "Missing", "yes": "yes", "no": "no", "colon": ":",
           "sep": "; ", "pending": "The criterion text is still pending from the sponsor."},
    "fr": {"values": "Valeurs", "missing": "Manquant", "yes": "oui", "no": "non", "colon": " :",
           "sep": " ; ", "pending": "Le texte du critère est encore attendu du promoteur."},
}


def explain(result: CriterionResult, fields: Mapping[str, FormField]) -> dict[str, str]:
    """{"fr": ..., "en": ...}: why this criterion came out as it did."""
    return {lang: _sentence(result, fields, lang) for lang in LANGUAGES}


def _sentence(result: CriterionResult, fields: Mapping[str, FormField], lang: str) -> str:
    words = _WORDS[lang]
    c = result.criterion
    head = _HEAD[lang]["unknown" if result.status == "unknown" else (c.kind, result.status)]
    custom = c.explain.get(result.status) if c.explain and result.status != "unknown" else None
    text = (custom or c.text).get(lang).rstrip(".")
    parts = [f"{head}{words['colon']} {text}."]
    if result.inputs:
        shown = words["sep"].join(f"{_label(fields, n, lang)} = {_value(fields.get(n), v, lang)}"
                                  for n, v in result.inputs.items())
        parts.append(f"{words['values']}{words['colon']} {shown}.")
    if result.missing:
        absent = words["sep"].join(_label(fields, n, lang) for n in result.missing)
        parts.append(f"{words['missing']}{words['colon']} {absent}.")
    if result.pending:
        parts.append(words["pending"])
    return " ".join(parts)


def _label(fields: Mapping[str, FormField], name: str, lang: str) -> str:
    f = fields.get(name)
    return f.label.get(lang) if f else name


def _value(f: FormField | None, value: Value, lang: str) -> str:
    words = _WORDS[lang]
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, dt.date):
        return value.isoformat()
    if f is not None and f.choices:
        for choice in f.choices:
            if choice.code == value:
                return choice.label.get(lang)
    if isinstance(value, float):
        text = f"{value:g}"
        text = text.replace(".", ",") if lang == "fr" else text
    else:
        text = str(value)
    # Units written as words (years, weeks) are English-only in the protocol; symbols are not.
    if f is not None and f.unit and not f.unit.replace(" ", "").isalpha():
        text = f"{text} {f.unit_in(lang)}"
    return text
