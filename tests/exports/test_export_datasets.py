"""SDTM-shaped datasets of the demo trial: Dataset-JSON and NDJSON valid against the official
schema, CSV with its data dictionary, SAS XPORT read back by pyreadstat, and arms by mode."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pyreadstat
import pytest

from equipoise.interchange.sdtm import DOMAINS, ArmMode
from equipoise.records.roles import Role

pytestmark = pytest.mark.django_db
PROTOCOL = "nct06965244"


def _write(tmp_path, mode: ArmMode, formats=("json", "ndjson", "csv", "xpt"), domains=None,
           roles=frozenset({Role.STATISTICIAN})):
    from equipoise.exports.datasets_export import write_datasets
    from equipoise.exports.reading import Cutoff
    from equipoise.records.access import Rights

    return write_datasets(tmp_path / mode.value, PROTOCOL, Cutoff.at(None), mode, rights=Rights(roles),
                          formats=formats, domains=domains)


def test_every_dataset_json_file_validates_against_the_official_schema(demo, tmp_path, dataset_validator,
                                                                         ndjson_metadata_validator):
    files = _write(tmp_path, ArmMode.ACTUAL, formats=("json", "ndjson"))
    assert {f.name for f in files} == {f"{d.lower()}.{x}" for d in DOMAINS for x in ("json", "ndjson")}
    for path in files:
        if path.suffix == ".json":
            document = json.loads(path.read_text(encoding="utf-8"))
        else:
            lines = path.read_text(encoding="utf-8").splitlines()
            metadata = json.loads(lines[0])
            errors = list(ndjson_metadata_validator.iter_errors(metadata))
            assert not errors, (path.name, errors[0].message)
            rows = [json.loads(line) for line in lines[1:]]
            assert all(isinstance(r, list) for r in rows)
            document = {**metadata, "rows": rows}
        errors = list(dataset_validator.iter_errors(document))
        assert not errors, (path.name, errors[0].message)
        assert document["records"] == len(document["rows"])
        assert all(len(r) == len(document["columns"]) for r in document["rows"])
        # The demo signs nothing (test_export_signatures signs and reads ZS back); every other domain has rows.
        assert document["records"] > 0 or path.name.startswith("zs."), path.name


def _by_subject(rows, columns):
    names = [c["name"] for c in columns]
    out = defaultdict(list)
    for r in rows:
        row = dict(zip(names, r, strict=True))
        out[row["USUBJID"]].append(row)
    return out


def _load(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    return document, _by_subject(document["rows"], document["columns"])


def test_arms_actual_coded_and_masked(demo, tmp_path):
    from equipoise.allocation.models import Allocation

    arms = {f"NCT06965244-{a.subject.code}": a.arm for a in Allocation.objects.select_related("subject")}
    actual = _write(tmp_path, ArmMode.ACTUAL, formats=("json",), domains=["DM", "EX", "AE"])
    _, dm = _load(actual[0])
    for usubjid, arm in arms.items():
        assert dm[usubjid][0]["ARMCD"] == arm.upper()
    _, ex = _load(actual[1])
    treatments = {row["EXTRT"] for rows in ex.values() for row in rows}
    assert {"LENALIDOMIDE", "METHOTREXATE"} <= treatments

    coded = _write(tmp_path, ArmMode.CODED, formats=("json", "csv"))
    names = {f.name for f in coded}
    assert "ex.json" not in names
    document, dm = _load(tmp_path / "coded" / "dm.json")
    assert "AERELNST" not in [c["name"] for c in json.loads((tmp_path / "coded" / "ae.json").read_text())["columns"]]
    codes = {usubjid: dm[usubjid][0]["ARMCD"] for usubjid in arms}
    assert set(codes.values()) == {"A", "B"}
    # The codes group subjects exactly as the arms do, without naming a drug.
    assert len({(codes[u], arms[u]) for u in arms}) == 2
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "coded").iterdir())
    assert "lenalidomide" not in text.lower() and "methotrexate" not in text.lower()

    masked = _write(tmp_path, ArmMode.MASKED, formats=("json", "csv"))
    document, dm = _load(tmp_path / "masked" / "dm.json")
    assert not {"ARMCD", "ARM", "ACTARMCD", "ACTARM"} & {c["name"] for c in document["columns"]}
    assert all(dm[u][0]["ARMNRS"] == "" for u in arms)
    text = "".join(p.read_text(encoding="utf-8") for p in masked)
    assert "lenalidomide" not in text.lower() and "methotrexate" not in text.lower()


def test_csv_and_data_dictionary(demo, tmp_path):
    files = _write(tmp_path, ArmMode.ACTUAL, formats=("csv",))
    with (tmp_path / "actual" / "data_dictionary.csv").open(encoding="utf-8") as f:
        dictionary = list(csv.DictReader(f))
    for name, domain in DOMAINS.items():
        with (tmp_path / "actual" / f"{name.lower()}.csv").open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == [c.name for c in domain.columns]
        described = [d for d in dictionary if d["dataset"] == name]
        assert [d["variable"] for d in described] == header
        assert all(d["label"] and d["type"] for d in described)
    sex = next(d for d in dictionary if d["dataset"] == "DM" and d["variable"] == "SEX")
    assert sex["codelist"] == "SEX" and sex["codelist_values"] == "F | M" and "CDISC" in sex["codelist_source"]
    qs = next(d for d in dictionary if d["dataset"] == "QS" and d["variable"] == "QSTESTCD")
    assert "invented" in qs["codelist_source"]
    assert len(files) == len(DOMAINS) + 1


def test_xpt_round_trip_of_one_subject(demo, tmp_path):
    """pyreadstat reads the XPORT files back; they agree with what the database holds."""
    from equipoise.records.models import FormRecord, Subject
    from equipoise.records.protocol_versions import current_version, protocol_of

    _write(tmp_path, ArmMode.ACTUAL, formats=("xpt",))
    subject = Subject.objects.filter(allocation__isnull=False).order_by("code").first()
    usubjid = f"NCT06965244-{subject.code}"
    protocol = protocol_of(current_version(PROTOCOL))
    visit_numbers = {v.id: float(n) for n, v in enumerate(protocol.schedule.visits, 1)}

    def read(name):
        frame, meta = pyreadstat.read_xport(str(tmp_path / "actual" / f"{name}.xpt"))
        assert meta.table_name == name.upper()
        assert list(frame.columns) == [c.name for c in DOMAINS[name.upper()].columns]
        return frame[frame["USUBJID"] == usubjid]

    dm = read("dm")
    screening = FormRecord.objects.get(subject=subject, form_id="screening").data
    assert dm["AGE"].tolist() == [screening["age_years"]]
    assert dm["SEX"].tolist() == [{"female": "F", "male": "M"}[screening["sex"]]]
    assert dm["ARMCD"].tolist() == [subject.allocation.arm.upper()]

    records = FormRecord.objects.filter(subject=subject, visit__scheduled=True).select_related("visit")
    lab_codes = {"lab_neutrophils_g_l": "NEUT", "lab_platelets_g_l": "PLAT", "lab_haemoglobin_g_dl": "HGB",
                 "lab_creatinine_umol_l": "CREAT", "lab_creatinine_clearance_ml_min": "CREATCLR",
                 "lab_alt_x_uln": "ALT", "lab_ast_x_uln": "AST"}
    expected_lb = {(visit_numbers[r.visit.visit_id], lab_codes[k]): float(v)
                   for r in records if r.form_id == "labs" for k, v in r.data.items() if k in lab_codes}
    lb = read("lb")
    assert dict(zip(zip(lb["VISITNUM"], lb["LBTESTCD"], strict=True), lb["LBSTRESN"], strict=True)) == expected_lb

    qs_codes = {**{f"dlqi_q{i}": f"DLQI{i:02d}" for i in range(1, 11)}, "pain_nrs": "PAINNRS",
                "itch_nrs": "ITCHNRS", "physician_global": "PGA"}
    expected_qs = {(visit_numbers[r.visit.visit_id], qs_codes[k]): float(v)
                   for r in records for k, v in r.data.items() if k in qs_codes}
    expected_qs.update({(visit_numbers[r.visit.visit_id], "DLQITOT"): float(r.derived["dlqi_total"])
                        for r in records if r.form_id == "dlqi"})
    qs = read("qs")
    assert dict(zip(zip(qs["VISITNUM"], qs["QSTESTCD"], strict=True), qs["QSSTRESN"], strict=True)) == expected_qs

    items = {"erythema": "ERYTHEMA", "scale": "SCALE", "dyspigmentation": "DYSPIG", "scarring": "SCARRING"}
    expected_fa = {}
    for r in records:
        if r.form_id != "clasi":
            continue
        number = visit_numbers[r.visit.visit_id]
        for area, scores in r.data["clasi_record"]["regions"].items():
            for item, value in scores.items():
                expected_fa[(number, f"CLASI {area.replace('_', ' ').upper()}", items[item])] = float(value)
        expected_fa[(number, "CLASI", "CLASIA")] = float(r.derived["clasi_a"])
        expected_fa[(number, "CLASI", "CLASID")] = float(r.derived["clasi_d"])
    fa = read("fa")
    got = dict(zip(zip(fa["VISITNUM"], fa["FAOBJ"], fa["FATESTCD"], strict=True), fa["FASTRESN"], strict=True))
    assert {k: v for k, v in got.items() if k[2] in items.values() or k[2] in ("CLASIA", "CLASID")} == expected_fa

    expected_cm = {visit_numbers[r.visit.visit_id]: float(r.data["prednisone_equivalent_mg_day"])
                   for r in records if r.form_id == "steroid_dose"}
    cm = read("cm")
    assert dict(zip(cm["VISITNUM"], cm["CMDOSE"], strict=True)) == expected_cm


def test_a_blinded_role_gets_only_what_cannot_reveal_the_arm(demo, tmp_path):
    blinded = frozenset({Role.MONITOR, Role.BLINDED_ASSESSOR})
    files = _write(tmp_path, ArmMode.MASKED, formats=("json",), roles=blinded)
    assert [f.name for f in files] == ["dm.json", "sv.json", "ie.json", "qs.json", "fa.json", "rs.json",
                                        "zs.json"]
    qs = json.loads((tmp_path / "masked" / "qs.json").read_text())
    testcd = [c["name"] for c in qs["columns"]].index("QSTESTCD")
    assert qs["rows"] and {r[testcd] for r in qs["rows"]} == {"PGA"}
    with pytest.raises(PermissionError, match="blinded role"):
        _write(tmp_path, ArmMode.MASKED, formats=("json",), domains=["AE"], roles=blinded)
