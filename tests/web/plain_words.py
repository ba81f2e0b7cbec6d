"""What a page says, and whether it says it in plain words of the page's language.

`visible_lines` renders a page's visible text roughly as a browser lays it out (one line per block
element; no <script>, <style> or attribute values; parts marked with another `lang` left out).
`plain_words_problems` names what a reader should never see: a code (snake_case identifier), a
Python literal or repr, a raw error format, an English sentence on a French page or a French one
on an English page (a small, explicit word-list heuristic), or a catalogue entry left in the other
language. Pure functions: the crawl test feeds them pages, and their own tests feed them samples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree, html

# Elements whose text is never shown, or is shown by the browser as a widget rather than as text.
HIDDEN = {"script", "style", "template", "head", "title", "textarea"}
# Elements that flow inside a line; every other element starts a new line.
INLINE = {"a", "abbr", "b", "bdi", "cite", "code", "data", "em", "i", "kbd", "mark", "q", "s", "samp",
          "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "tspan", "br", "img", "input"}

SNAKE = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-])")
# True and False anywhere; None where a value is expected ("→ None", "x: None"), as "None." is English.
PYTHON_LITERAL = re.compile(r"(?<![\w-])(?:True|False)(?![\w-])|(?<=[:=→(\[,] )None\b|(?<=[:=→(\[,])None\b"
                            r"|\{'|\['|\{\"\w+\":|\[\]|\{\}|<QuerySet| object at 0x")
RAW_ERROR = re.compile(r"\b\w+ \[\w+\]")
# Usernames, e-mail addresses, file and host names: identifiers, not words to read.
DOTTED = re.compile(r"\S*\w[.@]\w\S*")

# Words of one language that the other does not use (short, explicit lists; the heuristic flags a
# line with at least two of them and more of them than words of the page's own language).
ENGLISH = frozenset("""
the and of with is are was were this that these those from has have had will would must should not
been being which when where what who your you for to into only any each every there their than then
no yes by at be can cannot does did it its if all after before until without per been
""".split())
FRENCH = frozenset("""
le la les des du et est sont avec pour dans une au aux pas sur par qui que été sans cette ces leur
vous nous être avoir fait aucun aucune jour jours doit peut ou selon avant après depuis chez
""".split())
# Single words that only one of the two languages uses, which a line shows on its own or beside
# numbers and codes: an option, a unit, a state (a line with any of them reads as that language).
ENGLISH_ONLY = frozenset("""
monday tuesday wednesday thursday friday saturday sunday daily weekly years weeks months yes none
unknown pending overdue upcoming screening randomized female male related recovered draft locked
""".split())
FRENCH_ONLY = frozenset("""
lundi mardi mercredi jeudi vendredi samedi dimanche semaines oui aucun aucune inconnu inconnue
brouillon verrouillé gelé sélection randomisé randomisée femme homme lié résolu ans
""".split())
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def visible_lines(content: str | bytes, language: str) -> list[str]:
    """The page's visible text, one line per block element, whitespace collapsed."""
    root = html.fromstring(content) if content else None
    if root is None:
        return []
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        other_language = element.get("lang") and not element.get("lang", "").startswith(language)
        if tag in HIDDEN or not tag or other_language:
            return
        block = tag not in INLINE
        if block:
            flush()
        if tag == "br":
            flush()
        if element.text:
            current.append(element.text)
        if tag in ("input",) and element.get("type") in ("submit", "button") and element.get("value"):
            current.append(" " + element.get("value", "") + " ")
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return lines


def svg_lines(content: str | bytes) -> list[str]:
    """The text an SVG image draws, one line per <text> element."""
    root = etree.fromstring(content if isinstance(content, bytes) else content.encode())
    lines = []
    for element in root.iter("{http://www.w3.org/2000/svg}text", "text"):
        text = " ".join("".join(element.itertext()).split())
        if text:
            lines.append(text)
    return lines


def _words(line: str) -> list[str]:
    line = DOTTED.sub(" ", line)
    return [w for w in WORD.findall(line) if not w.isupper()]


def language_of_line(line: str) -> str | None:
    """"en" or "fr" when the line reads clearly as that language (a sentence, or a word only it uses), else None."""
    words = [w.lower() for w in _words(line)]
    english = sum(w in ENGLISH for w in words)
    french = sum(w in FRENCH for w in words)
    if english >= 2 and english > french:
        return "en"
    if french >= 2 and french > english:
        return "fr"
    english_only = any(w in ENGLISH_ONLY for w in words)
    french_only = any(w in FRENCH_ONLY for w in words)
    if english_only and not french_only and not french:
        return "en"
    if french_only and not english_only and not english:
        return "fr"
    return None


def plain_words_problems(lines: Iterable[str], language: str, *, ignored: Iterable[str] = (),
                         untranslated: frozenset[str] = frozenset()) -> list[str]:
    """Each offending line with the reason, e.g. "code life_threatening in 'Grade: life_threatening'".

    `ignored` texts (proper names, subject codes) are removed from a line before it is judged;
    `untranslated` lines are catalogue entries in the other language (a line equal to one fails).
    """
    ignored = sorted(set(ignored), key=len, reverse=True)
    found: list[str] = []
    for original in lines:
        line = original
        for text in ignored:
            line = line.replace(text, " ")
        line = DOTTED.sub(lambda m: m.group(0) if "_" in m.group(0) and "@" not in m.group(0) else " ", line)
        reasons = []
        codes = SNAKE.findall(line)
        if codes:
            reasons.append("code " + ", ".join(dict.fromkeys(codes)))
        literals = PYTHON_LITERAL.findall(line)
        if literals:
            reasons.append("Python literal " + ", ".join(dict.fromkeys(literals)))
        raw_errors = RAW_ERROR.findall(line)
        if raw_errors:
            reasons.append("raw error " + ", ".join(dict.fromkeys(raw_errors)))
        sentence = language_of_line(line)
        if sentence and not language.startswith(sentence):
            reasons.append({"en": "English text", "fr": "French text"}[sentence])
        if original.strip() in untranslated:
            reasons.append("catalogue entry in the other language")
        if reasons:
            found.append(f"{'; '.join(reasons)} in {original[:200]!r}")
    return found
