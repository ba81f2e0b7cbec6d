"""Read a protocol directory into a validated `Protocol`, or a list of problems.

Every problem is reported as `file: path.to.key: what is wrong`; loading never raises anything
but `ProtocolInvalid`, which carries all the problems found, not just the first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from equipoise.protocol import schema
from equipoise.protocol.checks import cross_checks

# file name -> (model, key of the Protocol it fills, key inside the file to unwrap)
FILES: dict[str, tuple[type[BaseModel], str, str | None]] = {
    "registry.yaml": (schema.Registry, "registry", None),
    "arms.yaml": (schema.Arms, "arms", "arms"),
    "randomization.yaml": (schema.Randomization, "randomization", None),
    "schedule.yaml": (schema.Schedule, "schedule", None),
    "eligibility.yaml": (schema.Criteria, "criteria", "criteria"),
    "endpoints.yaml": (schema.Endpoints, "endpoints", None),
    "safety.yaml": (schema.Safety, "safety", None),
}
FORMS_DIR = "forms"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(top)'}: {self.message}"


class ProtocolInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedProtocol:
    protocol: schema.Protocol
    sha256: str
    source: dict[str, Any]


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        # Keep only JSON types (YAML dates become ISO strings) so a version can be stored as JSON.
        return json.loads(json.dumps(data, default=str))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(Problem(rel, where, f"not valid YAML: {exc.problem}"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(rel, "", f"cannot be read: {exc}"))
    return None


def _dotted(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location into `a.b[ID].c`, naming list items by their id when they have one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            ident = node[key].get("id") or node[key].get("name") if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) else None
            parts.append(f"[{ident or key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def _message(err: Mapping[str, Any]) -> str:
    loc = err["loc"]
    if err["type"] == "missing" and loc and loc[-1] in ("fr", "en"):
        return f"missing {'French' if loc[-1] == 'fr' else 'English'} label"
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    msg = err["msg"]
    if "input" in err and err["type"] not in ("model_type",):
        shown = json.dumps(err["input"], default=str)
        if len(shown) <= 60:
            msg = f"{msg} (got {shown})"
    return msg


def _validate(model: type[BaseModel], data: Any, rel: str, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith("function-")))
            problems.append(Problem(rel, _dotted(loc, data), _message(err)))
        return None


def canonical_sha256(source: dict[str, Any]) -> str:
    text = json.dumps(source, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_sources(root: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Parse every protocol file of a directory into `{relative file name: data}`."""
    problems: list[Problem] = []
    source: dict[str, Any] = {}
    expected = set(FILES) | {FORMS_DIR}
    for extra in sorted(p.name for p in root.iterdir()):
        if extra not in expected and extra.endswith((".yaml", ".yml")):
            problems.append(Problem(extra, "", "unknown protocol file"))
    for name in FILES:
        path = root / name
        if not path.exists():
            problems.append(Problem(name, "", "file is missing"))
            continue
        source[name] = _read_yaml(path, name, problems)
    for path in sorted((root / FORMS_DIR).glob("*.yaml")):
        rel = f"{FORMS_DIR}/{path.name}"
        source[rel] = _read_yaml(path, rel, problems)
    return source, problems


def build_protocol(protocol_id: str, source: dict[str, Any]) -> tuple[schema.Protocol | None, list[Problem]]:
    """Validate parsed file contents into a Protocol, collecting every problem."""
    problems: list[Problem] = []
    parts: dict[str, Any] = {"id": protocol_id}
    for name, (model, key, unwrap) in FILES.items():
        data = source.get(name)
        value = _validate(model, data, name, problems) if data is not None else None
        if value is not None:
            parts[key] = getattr(value, unwrap) if unwrap else value
    forms: list[schema.Form] = []
    form_files: dict[str, str] = {}
    for rel in sorted(k for k in source if k.startswith(FORMS_DIR + "/")):
        data = source[rel]
        form = _validate(schema.Form, data, rel, problems) if data is not None else None
        if form is not None:
            stem = Path(rel).stem
            if form.id != stem:
                problems.append(Problem(rel, "id", f"form id {form.id!r} must match its file name {stem!r}"))
            forms.append(form)
            form_files[form.id] = rel
    parts["forms"] = forms
    complete = not problems and len(parts) == len(FILES) + 2
    if complete:
        protocol = schema.Protocol.model_validate(parts)
        problems.extend(Problem(f, path, msg) for f, path, msg in cross_checks(protocol, form_files))
        return (None if problems else protocol), problems
    # Some files failed: still run the checks whose parts did validate, so every problem shows.
    partial = schema.Protocol.model_construct(**parts)
    available = frozenset(parts) - {"id"}
    problems.extend(Problem(f, path, msg) for f, path, msg in cross_checks(partial, form_files, available))
    return None, problems


def load_protocol(directory: Path | str) -> LoadedProtocol:
    """Load and check a protocol directory; raise `ProtocolInvalid` listing every problem."""
    root = Path(directory)
    if not root.is_dir():
        raise ProtocolInvalid([Problem(str(root), "", "is not a protocol directory")])
    source, problems = read_sources(root)
    if problems:
        raise ProtocolInvalid(problems)
    protocol, problems = build_protocol(root.name.lower(), source)
    if protocol is None:
        raise ProtocolInvalid(problems)
    return LoadedProtocol(protocol=protocol, sha256=canonical_sha256(source), source=source)


def protocol_from_source(protocol_id: str, source_json: str) -> LoadedProtocol:
    """Rebuild a stored version from its saved file contents (no disk access)."""
    source = json.loads(source_json)
    protocol, problems = build_protocol(protocol_id, source)
    if protocol is None:
        raise ProtocolInvalid(problems)
    return LoadedProtocol(protocol=protocol, sha256=canonical_sha256(source), source=source)
