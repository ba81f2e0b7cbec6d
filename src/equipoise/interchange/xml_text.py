"""XML written as text straight to a binary stream: escaped attributes and text, nothing built.

The ODM exports write hundreds of thousands of small elements; building each one as an lxml
element (or going through lxml's incremental `xmlfile`) costs more than the rest of the export.
`XmlText` writes start tags, end tags, empty elements and text as UTF-8, escaping with
`xml.sax.saxutils` (attribute values always in double quotes, their tabs and line breaks kept as
character references so a parser's attribute normalization gives them back). A character XML 1.0
cannot hold is refused, as lxml refuses it. The writer keeps the names of the open elements to
close them and buffers about 64 KiB before each write to the stream.

    with XmlText(out) as xml:
        with xml.element("ODM", {"xmlns": ODM_NS, "FileType": "Snapshot"}):
            xml.leaf("SiteRef", LocationOID="LOC.TNN")
            xml.text_element("Comment", "a < b")
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO
from xml.sax.saxutils import escape

_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML_CHAR = re.compile(f"[{_NOT_XML}]")
_ATTR_SPECIAL = re.compile(f'[&<>"\t\n\r{_NOT_XML}]')  # one search tells a value that needs no escaping
_TEXT_SPECIAL = re.compile(f"[&<>\r{_NOT_XML}]")
_ATTR_ENTITIES = {'"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_TEXT_ENTITIES = {"\r": "&#13;"}
BUFFER = 1 << 16


def _checked(value: str) -> str:
    if _NOT_XML_CHAR.search(value) is not None:
        raise ValueError(f"not a character XML 1.0 can hold in {value[:40]!r}")
    return value


def attr(value: str) -> str:
    """An attribute value, escaped and in double quotes (` Name=` + this makes the attribute)."""
    if _ATTR_SPECIAL.search(value) is None:
        return f'"{value}"'
    return f'"{escape(_checked(value), _ATTR_ENTITIES)}"'


def text(value: str) -> str:
    """Character data, escaped."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return escape(_checked(value), _TEXT_ENTITIES)


def attrs(values: Mapping[str, str]) -> str:
    """Attributes in the given order, each preceded by a space."""
    return "".join(f" {name}={attr(value)}" for name, value in values.items())


def start_tag(tag: str, values: Mapping[str, str] | None = None) -> str:
    return f"<{tag}{attrs(values) if values else ''}>"


def leaf_tag(tag: str, values: Mapping[str, str] | None = None) -> str:
    return f"<{tag}{attrs(values) if values else ''}/>"


def text_element(tag: str, value: str, values: Mapping[str, str] | None = None) -> str:
    return f"{start_tag(tag, values)}{text(value)}</{tag}>"


class XmlText:
    """A UTF-8 XML document written to `out` (see the module docstring)."""

    def __init__(self, out: IO[bytes]):
        self._out = out
        self._parts: list[str] = []
        self._size = 0
        self._open: list[str] = []

    def __enter__(self) -> XmlText:
        self.raw('<?xml version="1.0" encoding="utf-8"?>\n')
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None and self._open:
            raise ValueError(f"elements left open: {', '.join(self._open)}")
        self.flush()

    def raw(self, markup: str) -> None:
        """Markup already escaped (made with `attr`, `text`, `start_tag`...)."""
        self._parts.append(markup)
        self._size += len(markup)
        if self._size >= BUFFER:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()
            self._size = 0

    def start(self, tag: str, values: Mapping[str, str] | None = None, /, **more: str) -> None:
        self.raw(start_tag(tag, {**values, **more} if values else more))
        self._open.append(tag)

    def end(self) -> None:
        self.raw(f"</{self._open.pop()}>")

    @contextmanager
    def element(self, tag: str, values: Mapping[str, str] | None = None, /, **more: str) -> Iterator[None]:
        self.start(tag, values, **more)
        yield
        self.end()

    def leaf(self, tag: str, values: Mapping[str, str] | None = None, /, **more: str) -> None:
        """An element without content."""
        self.raw(leaf_tag(tag, {**values, **more} if values else more))

    def text_element(self, tag: str, value: str, values: Mapping[str, str] | None = None, /, **more: str) -> None:
        """An element holding only text."""
        self.raw(text_element(tag, value, {**values, **more} if values else more))
