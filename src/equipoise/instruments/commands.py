"""`equipoise score ...`: score one instrument record from a JSON file or stdin.

The contract scripts rely on: on success the score is a JSON object on stdout and the exit code is
0; on any bad input (unreadable file, malformed JSON, a record that is not an object, a key or value
the instrument refuses) stdout stays empty, stderr gets exactly one line naming the key and the
allowed values, and the exit code is 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from equipoise.instruments.clasi import ACTIVITY_MAX, score_clasi
from equipoise.instruments.dlqi import score_dlqi
from equipoise.instruments.nrs import score_pain_itch
from equipoise.instruments.physician_global import score_physician_global
from equipoise.instruments.responses import clasi_response
from equipoise.instruments.sledai import score_sledai
from equipoise.instruments.validation import InstrumentInputError, key_path, show_value

INPUT_ERROR_EXIT = 2
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")

RECORD_SCORERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "clasi": (score_clasi, "a CLASI record (data dictionary shape): CLASI-A, CLASI-D, severity"),
    "dlqi": (score_dlqi, "DLQI items dlqi_q1..dlqi_q10: total and band"),
    "sledai": (score_sledai, "SLEDAI-2K descriptors sledai_*: total and (assumed) band"),
    "pain-itch": (score_pain_itch, "pain_nrs and itch_nrs, 0-10 each"),
    "physician-global": (score_physician_global, "physician_global, 0-3"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score an outcome instrument record (JSON)")
    sub = parser.add_subparsers(dest="score_command", metavar="INSTRUMENT")
    sub.required = True

    for name, (scorer, help_text) in RECORD_SCORERS.items():
        record = sub.add_parser(name, help=help_text)
        record.add_argument(
            "file", metavar="FILE", help="JSON file holding one record, or - for stdin"
        )
        record.set_defaults(func=score_record_command, scorer=scorer)

    response = sub.add_parser(
        "clasi-response", help="CLASI-50/70, minimal important improvement, complete response"
    )
    # Parsed by hand, not with type=int, so a bad value gets our one-line error, not usage text.
    response.add_argument("--baseline", metavar="N", help="baseline CLASI-A (0-70)")
    response.add_argument("--current", metavar="M", help="current CLASI-A (0-70)")
    response.set_defaults(func=clasi_response_command)


class _ObjectWithDuplicate(dict):
    """A parsed JSON object in which `duplicate` was given more than once."""

    duplicate: str


def _mark_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON object hook: remember a repeated key so it can be refused, with its full path, later.

    The hook sees objects innermost first and without their position, so it only marks the object;
    `_find_duplicate` walks the parsed tree to name the path.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            marked = _ObjectWithDuplicate(pairs)
            marked.duplicate = key
            return marked
        result[key] = value
    return result


def _find_duplicate(root: Any) -> tuple[str, ...] | None:
    """Path of the first key given twice in the parsed input, or None (iterative: inputs may nest
    as deep as the JSON parser allows)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _ObjectWithDuplicate):
            return (*path, node.duplicate)
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in reversed(node.items()))
    return None


def _read_json(file: str) -> Any:
    """Read and parse the input; raise InstrumentInputError with a one-line reason."""
    allowed = ("a JSON object",)
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise InstrumentInputError(
            "input", file, allowed, f"cannot read {show_value(file)}: {exc.strerror}"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstrumentInputError("input", None, allowed, "not UTF-8 text") from None
    try:
        data = json.loads(text, object_pairs_hook=_mark_duplicates)
    except json.JSONDecodeError as exc:
        raise InstrumentInputError(
            "input",
            None,
            allowed,
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from None
    except RecursionError:
        raise InstrumentInputError("input", None, allowed, "JSON nested too deeply") from None
    duplicate = _find_duplicate(data)
    if duplicate:
        raise InstrumentInputError(
            key_path(*duplicate), None, ("each key once",), "key given more than once"
        )
    return data


def _fail(exc: InstrumentInputError) -> int:
    print(" ".join(str(exc).split()), file=sys.stderr)
    return INPUT_ERROR_EXIT


def _emit(payload: dict[str, Any]) -> int:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


def score_record_command(args: argparse.Namespace) -> int:
    try:
        data = _read_json(args.file)
        if not isinstance(data, dict):
            raise InstrumentInputError(
                "input", data, ("a JSON object",), f"{show_value(data)} is not a JSON object"
            )
        result = args.scorer(data)
    except InstrumentInputError as exc:
        return _fail(exc)
    return _emit(result.to_dict())


def _option_int(name: str, text: str | None) -> int:
    """Turn an option's text into an int, refusing anything but plain integer digits."""
    allowed = range(0, ACTIVITY_MAX + 1)
    if text is None:
        raise InstrumentInputError(name, None, allowed, f"missing (give --{name} N)")
    if not _INTEGER_TEXT.match(text.strip()):
        raise InstrumentInputError(name, text, allowed, f"{show_value(text)} is not an integer")
    return int(text)


def clasi_response_command(args: argparse.Namespace) -> int:
    try:
        baseline = _option_int("baseline", args.baseline)
        current = _option_int("current", args.current)
        result = clasi_response(baseline, current)
    except InstrumentInputError as exc:
        return _fail(exc)
    return _emit(result.to_dict())
