import json
import re
import zlib
from dataclasses import replace
from datetime import date

import pytest

from equipoise.stats.analysis_dataset import AdverseEvent, DatasetError
from equipoise.stats.dsmb import dsmb_report_html, dsmb_report_pdf, recode_arms
from equipoise.stats.report_html import statistician_report
from equipoise.stats.synthetic import synthetic_dataset

LABELS = {"lenalidomide": "Lenalidomide", "methotrexate": "Methotrexate"}
CODES = {"lenalidomide": "B", "methotrexate": "A"}
PLAN = {"plan_start": date(2025, 10, 1), "plan_end": date(2028, 10, 1), "target": 122}
SI = ["thrombosis", "peripheral_neuropathy", "neutropenia"]
ARM_WORDS = re.compile(r"lenalidomide|methotrexate|aspirin|folic", re.IGNORECASE)


@pytest.fixture(scope="module")
def revealing():
    """A dataset whose free text names the drugs, as real AE terms do."""
    d = synthetic_dataset(40, 99, 0.5, 0.75)
    first = d.subjects[0]
    first = replace(first, adverse_events=(AdverseEvent("Methotrexate pneumonitis", 3, True),
                                           AdverseEvent("Bleeding on ASPIRIN", 2, False)),
                    discontinued=True, discontinued_reason="stopped lenalidomide, moved away")
    return replace(d, subjects=(first, *d.subjects[1:]))


def test_statistician_report_is_self_contained_and_matches_json(synthetic):
    report = statistician_report(synthetic, treatment_arm="lenalidomide", control_arm="methotrexate",
                                 arm_labels=LABELS, special_interest=SI, generated_on=date(2026, 6, 1), **PLAN)
    html = report.html
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no external assets
    assert html.count("<svg") == 4  # means, KM, CONSORT, recruitment
    for heading in ("Primary endpoint", "Baseline characteristics", "Safety", "CONSORT", "Recruitment"):
        assert heading in html
    data = json.loads(json.dumps(report.data))
    itt = data["primary"]["itt"]
    assert f"{itt['treatment']['responders']}/{itt['treatment']['n']}" in html
    assert data["consort"]["randomized"] == len(synthetic.subjects)


def test_open_part_only_unless_closed_is_requested(revealing):
    html = dsmb_report_html(revealing, include_closed=False, arm_codes=CODES, generated_on=date(2026, 6, 1),
                            special_interest=SI, **PLAN)
    assert "Closed part" not in html and "Arm A" not in html and "Arm B" not in html
    assert not ARM_WORDS.search(html)
    assert "Data cut-off: 4 March 2027" in html and revealing.data_cutoff == date(2027, 3, 4)
    assert "Open part" in html


@pytest.mark.parametrize("flag", [1, "yes", None])
def test_closed_flag_must_be_a_real_boolean(revealing, flag):
    with pytest.raises(DatasetError, match="include_closed"):
        dsmb_report_html(revealing, include_closed=flag, arm_codes=CODES, generated_on=date(2026, 6, 1),
                         special_interest=SI, **PLAN)


def test_closed_part_needs_valid_codes(revealing):
    for codes in (None, {"lenalidomide": "A"}, {"lenalidomide": "A", "methotrexate": "A"},
                  {"lenalidomide": "methotrexate", "methotrexate": "A"}):
        with pytest.raises(DatasetError, match="arm_codes"):
            dsmb_report_html(revealing, include_closed=True, arm_codes=codes, generated_on=date(2026, 6, 1),
                             special_interest=SI, **PLAN)


def test_closed_part_never_names_an_arm(revealing):
    html = dsmb_report_html(revealing, include_closed=True, arm_codes=CODES, generated_on=date(2026, 6, 1),
                            special_interest=SI, blinding_terms=["aspirin", "folic acid"], **PLAN)
    assert "Closed part" in html and "Arm A" in html and "Arm B" in html
    assert not ARM_WORDS.search(html)


def test_recode_scrubs_free_text(revealing):
    coded = recode_arms(revealing, CODES, ["aspirin"])
    assert coded.arms == ("B", "A")
    terms = [ae.term for ae in coded.subjects[0].adverse_events]
    assert terms == ["[study drug] pneumonitis", "Bleeding on [study drug]"]
    assert not ARM_WORDS.search(coded.to_json())


def test_dsmb_pdf_renders_and_closed_adds_pages(revealing):
    common = {"generated_on": date(2026, 6, 1), "special_interest": SI, **PLAN}
    open_pdf = dsmb_report_pdf(dsmb_report_html(revealing, include_closed=False, **common))
    closed_pdf = dsmb_report_pdf(dsmb_report_html(revealing, include_closed=True, arm_codes=CODES, **common))
    for pdf in (open_pdf, closed_pdf):
        assert pdf.startswith(b"%PDF")
    pages = [pdf_page_count(pdf) for pdf in (open_pdf, closed_pdf)]
    assert 2 <= pages[0] < pages[1]


def pdf_page_count(pdf: bytes) -> int:
    """Read /Count of the page tree, looking inside WeasyPrint's compressed object streams too."""
    counts = []
    for m in re.finditer(rb"stream\r?\n", pdf):
        try:
            data = zlib.decompressobj().decompress(pdf[m.end():])
        except zlib.error:
            continue
        counts += [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
        counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    counts += [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    return max(counts, default=0)
