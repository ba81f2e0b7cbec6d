"""The text XML writer the ODM exports use: what a parser reads back is what was written."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from equipoise.interchange.xml_text import BUFFER, XmlText, attr, text


def _written(build) -> bytes:
    out = io.BytesIO()
    with XmlText(out) as xml:
        build(xml)
    return out.getvalue()


AWKWARD = ["plain", "a & b < c > d", 'say "yes"', "it's", "line one\nline two", "tab\there", "cr\rhere",
           "é, ü, 日本", "]]>", "&amp; already", ""]


@pytest.mark.parametrize("value", AWKWARD)
def test_attribute_and_text_values_read_back_unchanged(value):
    doc = _written(lambda xml: xml.text_element("Comment", value, {"Note": value, "xml:lang": "fr"}))
    root = etree.fromstring(doc)
    assert root.get("Note") == value
    assert (root.text or "") == value
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_nesting_order_namespace_and_empty_elements():
    def build(xml):
        with xml.element("ODM", {"xmlns": "urn:example", "FileType": "Snapshot"}):
            xml.leaf("SiteRef", LocationOID="LOC.TNN")
            with xml.element("Study", OID="ST.1"):
                xml.text_element("StudyName", "Trial")

    root = etree.fromstring(_written(build))
    assert root.tag == "{urn:example}ODM"
    assert list(root.attrib.items()) == [("FileType", "Snapshot")]
    assert [c.tag for c in root] == ["{urn:example}SiteRef", "{urn:example}Study"]
    assert root[0].get("LocationOID") == "LOC.TNN" and len(root[0]) == 0
    assert root[1][0].text == "Trial"


@pytest.mark.parametrize("bad", ["bell\x07", "nul\x00", "form\x0c"])
def test_characters_xml_cannot_hold_are_refused(bad):
    with pytest.raises(ValueError, match="XML 1.0"):
        attr(bad)
    with pytest.raises(ValueError, match="XML 1.0"):
        text(bad)


def test_an_element_left_open_is_an_error():
    with pytest.raises(ValueError, match="left open: Study"):
        _written(lambda xml: xml.start("Study"))


def test_large_documents_are_written_in_pieces_and_parse_whole():
    out = io.BytesIO()
    writes = []

    class Counting(io.BytesIO):
        def write(self, data):  # type: ignore[override]
            writes.append(len(data))
            return out.write(data)

    with XmlText(Counting()) as xml, xml.element("Values"):
        for n in range(20_000):
            xml.leaf("V", N=str(n), Text="x & y")
    root = etree.fromstring(out.getvalue())
    assert len(root) == 20_000 and root[-1].get("N") == "19999" and root[5].get("Text") == "x & y"
    assert len(writes) > 1 and max(writes) < 2 * BUFFER
