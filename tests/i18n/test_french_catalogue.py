"""The French catalogue: complete, compiled, shipped, and used when a page is rendered in French.

French is the interface's default language (LANGUAGE_CODE = "fr"), so an English string that slips
through untranslated is what a French site sees. These tests read the .po and the committed .mo with
the standard library only (no gettext tools are needed at run time or in CI) and check that:
- every entry is translated, none is fuzzy, placeholders survive;
- every string marked for translation in the templates and Python sources is in the catalogue;
- the committed .mo says exactly what the .po says (nobody forgot to recompile);
- Django really serves those translations, and a page switches between French and English;
- the catalogue is part of the package data and is not git-ignored.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shutil
import struct
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

import equipoise

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(equipoise.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES"
PO, MO = CATALOGUE / "django.po", CATALOGUE / "django.mo"

# Entries whose French is the same word as the English (true cognates or accepted jargon).
SAME_IN_FRENCH = {"Action", "Contraception", "Date", "Grade", "Patients", "Position", "ok", "code", "contraception",
                  "dose (mg)", "grade", "prescription", "signature"}


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def mo_key(self) -> str:
        """The key a compiled .mo file uses: context EOT msgid [NUL plural]."""
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return key if self.msgid_plural is None else f"{key}\x00{self.msgid_plural}"


def _unquote(token: str) -> str:
    return ast.literal_eval(token)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid ""); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if keyword:
            name, index, text = keyword.group(1), keyword.group(2), _unquote(keyword.group(3))
            if name in ("msgctxt", "msgid") and (current is None or current.msgstrs):
                current = Entry(msgid="", flags=flags, line=number)
                flags = set()
                entries.append(current)
            if name == "msgstr":
                current.msgstrs.append(text)
                target = ("msgstr", len(current.msgstrs) - 1)
            else:
                setattr(current, name, text)
                target = (name, 0)
            if index is not None:
                assert int(index) == len(current.msgstrs) - 1, f"{path}:{number}: msgstr[{index}] out of order"
            continue
        assert line.startswith('"') and current is not None and target, f"{path}:{number}: cannot parse {raw!r}"
        name, index = target
        if name == "msgstr":
            current.msgstrs[index] += _unquote(line)
        else:
            setattr(current, name, getattr(current, name) + _unquote(line))
    return entries


def read_mo(path: Path) -> dict[str, str]:
    """A GNU .mo file as {key: translation}; plural forms stay NUL-joined, as msgfmt stores them."""
    data = path.read_bytes()
    order = {0x950412DE: "<", 0xDE120495: ">"}.get(struct.unpack("<I", data[:4])[0])
    assert order, f"{path} is not a GNU .mo file (bad magic number)"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])

    def string(table: int, i: int) -> str:
        length, offset = struct.unpack(order + "2I", data[table + 8 * i: table + 8 * i + 8])
        return data[offset: offset + length].decode("utf-8")

    return {string(originals, i): string(translations, i) for i in range(count)}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO)


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\((\w+)\)[sdif]", text))


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    header = [e for e in entries if e.msgid == ""]
    assert len(header) == 1 and "fuzzy" not in header[0].flags, "the header must exist and not be fuzzy"
    assert "Language: fr" in header[0].msgstrs[0]
    assert len(messages(entries)) > 100, "the catalogue lost most of its entries"
    nplurals = int(re.search(r"nplurals=(\d+)", header[0].msgstrs[0]).group(1))
    for e in messages(entries):
        where = f"{PO.name}:{e.line} msgid {e.msgid!r}"
        assert "fuzzy" not in e.flags, f"{where} is fuzzy: check it, then remove the flag"
        assert e.msgstrs and all(s.strip() for s in e.msgstrs), f"{where} has no French translation"
        if e.msgid_plural is not None:
            assert len(e.msgstrs) == nplurals, f"{where} needs {nplurals} plural forms"
        if e.msgid not in SAME_IN_FRENCH:
            assert e.msgstrs[0] != e.msgid, f"{where} is a copy of the English, not a translation"


def test_placeholders_survive_translation(entries):
    for e in messages(entries):
        wanted = placeholders(e.msgid_plural or e.msgid)
        for form in e.msgstrs:
            assert placeholders(form) == wanted, f"msgid {e.msgid!r}: {form!r} must keep {wanted}"


def _template_strings(source: str) -> set[str]:
    """Strings that makemessages would extract from a template (Django's own templatize)."""
    from django.utils.translation.template import templatize

    found = set()
    literal = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # repr() picks either quote
    for call in re.finditer(rf"\b(n?p?gettext)\((\s*{literal}\s*(?:,\s*{literal}\s*)*)", templatize(source)):
        args = [ast.literal_eval(a) for a in re.findall(literal, call.group(2))]
        found.add(args[1] if call.group(1).startswith(("pgettext", "npgettext")) else args[0])
    return found


def _python_strings(source: str) -> set[str]:
    """Literal msgids passed to Django's gettext functions in Python source."""
    names = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
             "npgettext", "npgettext_lazy"}
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if name in names and args:
            found.add(args[1] if "pgettext" in name and len(args) > 1 else args[0])
    return found


def test_every_marked_string_in_the_sources_is_in_the_catalogue(entries):
    known = {e.msgid for e in entries}
    marked: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.html")):
        for text in _template_strings(path.read_text(encoding="utf-8")):
            marked.setdefault(text, str(path.relative_to(PACKAGE)))
    for path in sorted(PACKAGE.rglob("*.py")):
        for text in _python_strings(path.read_text(encoding="utf-8")):
            marked.setdefault(text, str(path.relative_to(PACKAGE)))
    assert marked, "no translatable strings found: the extraction itself is broken"
    missing = {text: where for text, where in marked.items() if text not in known}
    assert not missing, (
        "strings marked for translation but absent from the French catalogue (run `django-admin "
        f"makemessages -l fr` in src/equipoise, translate, then compilemessages): {missing}"
    )


def test_compiled_catalogue_matches_the_po(entries):
    compiled = read_mo(MO)
    written = {e.mo_key: "\x00".join(e.msgstrs) for e in entries}
    assert compiled.keys() == written.keys(), (
        f"{MO.name} is stale: only in .po {sorted(written.keys() - compiled.keys())}, "
        f"only in .mo {sorted(compiled.keys() - written.keys())}; run compilemessages"
    )
    differing = sorted(k for k in written if k and compiled[k] != written[k])
    assert not differing, f"{MO.name} translates these differently from the .po: {differing}"


def test_django_serves_the_french_catalogue(entries):
    with translation.override("fr"):
        for e in messages(entries):
            if e.msgctxt is not None:
                continue
            if e.msgid_plural is None:
                assert translation.gettext(e.msgid) == e.msgstrs[0], e.msgid
            else:
                assert translation.ngettext(e.msgid, e.msgid_plural, 1) == e.msgstrs[0], e.msgid
                assert translation.ngettext(e.msgid, e.msgid_plural, 3) == e.msgstrs[-1], e.msgid
    with translation.override("en"):
        assert translation.gettext("Reason for change") == "Reason for change"


def _home(client: Client, **headers) -> str:
    response = client.get("/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_is_french_by_default_and_english_on_request(people):
    client = Client()
    client.force_login(people["dm"])  # the data manager's menu has the audit trail
    french = _home(client, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in french
    for words in ("Patients", "Déconnexion", "À faire", "Registre de sélection", "Piste d'audit"):
        assert words in french, words
    assert "Log out" not in french and "Worklist" not in french

    english = _home(client, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english
    for words in ("Subjects", "Log out", "Worklist", "Screening log", "Audit trail"):
        assert words in english, words
    assert "Déconnexion" not in english


def test_the_language_switch_overrides_the_browser(people):
    client = Client()
    client.force_login(people["inv_a"])
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    english = _home(client, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Log out" in english and "Déconnexion" not in english

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Déconnexion" in _home(client, HTTP_ACCEPT_LANGUAGE="en")


def _package_data_files(pyproject: dict) -> set[Path]:
    """Files under the equipoise package that setuptools' package-data globs select."""
    patterns = pyproject["tool"]["setuptools"]["package-data"]
    selected: set[Path] = set()
    for package, globs in patterns.items():
        if fnmatch.fnmatch("equipoise", package):
            for pattern in globs:
                selected |= {p for p in PACKAGE.glob(pattern) if p.is_file()}
    return selected


def test_the_catalogue_ships_in_the_package():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["setuptools"]["packages"]["find"]["where"] == ["src"]
    shipped = _package_data_files(pyproject)
    assert {PO, MO} <= shipped, "equipoise/locale is not selected by [tool.setuptools.package-data]"


def test_the_compiled_catalogue_is_not_git_ignored():
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    for path in (PO, MO):
        result = subprocess.run([git, "check-ignore", "-q", str(path)], cwd=REPO, check=False)
        assert result.returncode == 1, f"{path.relative_to(REPO)} is git-ignored, so it would not be committed"
