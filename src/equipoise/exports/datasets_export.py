"""The SDTM-shaped domains from the database, as Dataset-JSON, NDJSON, CSV (+ dictionary) and XPT.

Subjects are read in chunks of `SUBJECT_CHUNK` in code order; each chunk's facts (screening form,
allocation, dispensings, eligibility, visits, adverse events) are fetched with one query per table,
and the domain rows of each subject are yielded before the next chunk is read. The findings
domains (LB, QS, FA, RS, CM) come from one pass over the form values in force at the cut-off,
subject by subject. Rows go out a batch at a time (`DomainFiles`): straight into the CSV files,
encoded into temporary files for Dataset-JSON (its metadata, which counts the rows, comes first),
pickled into one for XPT (measured, then written in chunks): memory holds one batch of rows,
whatever the trial's size.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import itertools
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from equipoise.allocation.blinding import may_see_arm, open_forms
from equipoise.allocation.models import Allocation, RandomizationList
from equipoise.exports.reading import (
    Cutoff,
    database_last_modified,
    derived_in_force,
    latest_revisions,
    signature_facts,
)
from equipoise.interchange import sdtm
from equipoise.interchange.dataset_json import DatasetInfo, DatasetSpool
from equipoise.interchange.odm_metadata import version_oid
from equipoise.interchange.sdtm import DOMAINS, ArmMode, Arms, FindingForm, VisitInfo
from equipoise.interchange.tabular import csv_writer, write_dictionary
from equipoise.interchange.xport import write_xpt
from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights
from equipoise.records.models import EligibilityAssessment, ProtocolVersion, Subject, Visit
from equipoise.records.protocol_versions import protocol_of
from equipoise.treatment.models import AdverseEvent, Dispensing
from equipoise.visits.localtime import trial_date

SUBJECT_CHUNK = 500
FORMATS = ("json", "ndjson", "csv", "xpt")
SPOOL_BATCH = 2000
FINDINGS_DOMAINS = ("LB", "QS", "FA", "RS", "CM")
FINDING_FORMS = frozenset({"labs", "dlqi", "pain_itch_nrs", "physician_global", "clasi", "steroid_dose"})


def arm_labels(protocol: Protocol, mode: ArmMode) -> Arms:
    """Arm id -> (ARMCD, ARM). Coded: A, B... in an order keyed by this installation's secret and the
    active list, so the codes group subjects without telling which group took which drug."""
    if mode == ArmMode.ACTUAL:
        return Arms(mode, {a.id: (a.id.upper()[:20], a.label.en) for a in protocol.arms})
    if mode == ArmMode.CODED:
        salt = (RandomizationList.objects.filter(active=True).values_list("sha256", flat=True).first() or "")
        key = settings.SECRET_KEY.encode()
        order = sorted(protocol.arms, key=lambda a: hmac.new(key, f"{salt}:{a.id}".encode(), hashlib.sha256).digest())
        return Arms(mode, {a.id: (chr(ord("A") + i), f"Arm {chr(ord('A') + i)}") for i, a in enumerate(order)})
    return Arms(mode, {})


class Source:
    """What the domain builders read: protocol, cut-off and arm mode, and the visit numbering."""

    def __init__(self, protocol_id: str, cutoff: Cutoff, mode: ArmMode, rights: Rights):
        self.protocol_id, self.cutoff, self.mode = protocol_id, cutoff, mode
        version = ProtocolVersion.objects.filter(protocol_id=protocol_id, loaded_at__lt=cutoff.end).order_by("-number").first()
        if version is None:
            raise ValueError(f"no version of protocol {protocol_id} was loaded before the cut-off")
        self.version = version
        self.protocol = protocol_of(version)
        self.study = self.protocol.registry.identifiers.nct_id
        self.arms = arm_labels(self.protocol, mode)
        self.visits = {v.id: (float(n), v.label.en) for n, v in enumerate(self.protocol.schedule.visits, 1)}
        self.baseline = next((v.label.en for v in self.protocol.schedule.visits if v.kind == "baseline"), "")
        self._protocols: dict[int, Protocol] = {version.pk: self.protocol}
        self.finding_form_ids = FINDING_FORMS & {f.id for f in open_forms(rights, self.protocol.forms)}

    def protocol_by_pk(self, pk: int) -> Protocol:
        if pk not in self._protocols:
            self._protocols[pk] = protocol_of(ProtocolVersion.objects.get(pk=pk))
        return self._protocols[pk]

    def visit(self, visit_id: str, scheduled: bool, attempt: int, done: dt.date | None) -> VisitInfo:
        if scheduled and visit_id in self.visits:
            number, name = self.visits[visit_id]
            return VisitInfo(number, name, done)
        return VisitInfo(100.0 + attempt, f"Unscheduled {attempt}", done)

    def info(self, name: str) -> DatasetInfo:
        d = DOMAINS[name]
        return DatasetInfo(name=name, label=d.label, columns=d.columns_for(self.mode), study_oid=f"ST.{self.study}",
                           metadata_version_oid=version_oid(self.protocol_id, self.version.number))

    # --- subject-level domains -------------------------------------------------------------

    def subject_chunks(self) -> Iterator[list[dict[str, Any]]]:
        rows = (Subject.objects.filter(protocol_id=self.protocol_id, created_at__lt=self.cutoff.end)
                .order_by("code").values("pk", "code", "site__code", "status", "participation_ended_on",
                                         "participation_end_reason").iterator(chunk_size=SUBJECT_CHUNK))
        while chunk := [dict(s) for s in itertools.islice(rows, SUBJECT_CHUNK)]:
            yield chunk

    def _facts(self, chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pks = [s["pk"] for s in chunk]
        end, last_day = self.cutoff.end, self.cutoff.last_day
        screening = dict(latest_revisions(self.protocol_id, self.cutoff, frozenset({"screening"}))
                         .filter(record__subject_id__in=pks).values_list("record__subject_id", "data"))
        allocations = {a["subject_id"]: a for a in Allocation.objects.filter(subject_id__in=pks, allocated_at__lt=end)
                       .values("subject_id", "arm", "allocated_at")}
        doses: dict[int, list[dt.date]] = defaultdict(list)
        for subject_id, on in Dispensing.objects.filter(subject_id__in=pks, created_at__lt=end).values_list(
                "subject_id", "dispensed_on"):
            doses[subject_id].append(on)
        verdicts: dict[int, tuple[str, dt.datetime]] = {}
        for subject_id, verdict, at in (EligibilityAssessment.objects.filter(
                subject_id__in=pks, stage="screening", evaluated_at__lt=end).order_by("evaluated_at", "id")
                .values_list("subject_id", "verdict", "evaluated_at")):
            verdicts[subject_id] = (verdict, at)
        out = []
        for s in chunk:
            data = screening.get(s["pk"]) or {}
            allocation = allocations.get(s["pk"])
            ended = s["participation_ended_on"] if s["participation_ended_on"] and s["participation_ended_on"] <= last_day else None
            status = s["status"]
            if status in ("withdrawn", "lost_to_follow_up", "completed", "died") and ended is None:
                status = "randomized"
            decision = verdicts.get(s["pk"])
            if status == "screen_failed" and (decision is None or decision[0] != "not_eligible"):
                status = "screening"
            out.append({
                "pk": s["pk"], "code": s["code"], "site": s["site__code"], "status": status, "country": "FRA",
                "age": data.get("age_years"), "sex": data.get("sex"), "consent_date": data.get("consent_date"),
                "arm": allocation["arm"] if allocation and self.mode != ArmMode.MASKED else None,
                "randomized_on": trial_date(allocation["allocated_at"]) if allocation else None,
                "first_dose": min(doses[s["pk"]]) if doses.get(s["pk"]) else None,
                "last_dose": max(doses[s["pk"]]) if doses.get(s["pk"]) else None,
                "ended_on": ended, "end_reason": s["participation_end_reason"] if ended else "",
                "screen_failed_on": trial_date(decision[1]) if decision and status == "screen_failed" else None,
            })
        return out

    def dm(self) -> Iterator[list[Any]]:
        for chunk in self.subject_chunks():
            for s in self._facts(chunk):
                yield sdtm.dm_row(self.study, self.arms, s)

    def ds(self) -> Iterator[list[Any]]:
        for chunk in self.subject_chunks():
            for s in self._facts(chunk):
                yield from sdtm.ds_rows(self.study, self.mode, s)

    def sv(self) -> Iterator[list[Any]]:
        rows = (Visit.objects.filter(subject__protocol_id=self.protocol_id, subject__created_at__lt=self.cutoff.end,
                                     done_date__isnull=False, done_date__lte=self.cutoff.last_day)
                .order_by("subject__code", "sequence", "id")
                .values_list("subject__code", "visit_id", "scheduled", "attempt", "done_date").iterator(chunk_size=2000))
        for code, visit_id, scheduled, attempt, done in rows:
            yield sdtm.sv_row(self.study, self.mode, code, self.visit(visit_id, scheduled, attempt, done))

    def ie(self) -> Iterator[list[Any]]:
        criteria = {c.id: (c.kind, c.text.en) for c in self.protocol.criteria}
        for chunk in self.subject_chunks():
            latest: dict[int, Any] = {}
            for row in (EligibilityAssessment.objects.filter(subject_id__in=[s["pk"] for s in chunk], stage="screening",
                                                             evaluated_at__lt=self.cutoff.end)
                        .order_by("evaluated_at", "id").values("subject_id", "failed_criteria", "evaluated_at")):
                latest[row["subject_id"]] = row
            for s in chunk:
                a = latest.get(s["pk"])
                if a is None:
                    continue
                failed = [(cid, *criteria.get(cid, ("inclusion" if cid.startswith("IN") else "exclusion", cid)))
                          for cid in a["failed_criteria"]]
                yield from sdtm.ie_rows(self.study, self.mode, s["code"], failed, trial_date(a["evaluated_at"]))

    def ex(self) -> Iterator[list[Any]]:
        routes = {i.id: i.regimen.route for a in self.protocol.arms for i in a.interventions}
        rows = (Dispensing.objects.filter(subject__protocol_id=self.protocol_id, created_at__lt=self.cutoff.end)
                .order_by("subject__code", "dispensed_on", "id")
                .values_list("subject__code", "dispensed_on", "prescription__drug", "prescription__dose_mg",
                             "prescription__frequency", "prescription__days", "prescription__auxiliary",
                             "prescription__auxiliary_dose_mg", "prescription__auxiliary_frequency")
                .iterator(chunk_size=2000))
        for code, group in itertools.groupby(rows, key=lambda r: r[0]):
            given = []
            for _, on, drug, dose, freq, days, aux, aux_dose, aux_freq in group:
                end = on + dt.timedelta(days=max(days, 1) - 1)
                given.append({"drug": drug, "dose_mg": dose, "frequency": freq, "route": routes.get(drug),
                              "start": on, "end": end})
                if aux and aux_dose is not None:
                    given.append({"drug": aux, "dose_mg": aux_dose, "frequency": aux_freq, "route": routes.get(aux),
                                  "start": on, "end": end})
            yield from sdtm.ex_rows(self.study, code, given)

    def ae(self) -> Iterator[list[Any]]:
        auxiliary = {a.id: next((i.id for i in a.interventions if i.role == "auxiliary"), None) for a in self.protocol.arms}
        rows = (AdverseEvent.objects.filter(subject__protocol_id=self.protocol_id, reported_at__lt=self.cutoff.end)
                .order_by("subject__code", "onset_date", "id")
                .values("subject__code", "subject__allocation__arm", "term", "onset_date", "end_date", "grade",
                        "seriousness", "related_to_study_drug", "causality", "action_taken", "outcome")
                .iterator(chunk_size=2000))
        for code, group in itertools.groupby(rows, key=lambda r: r["subject__code"]):
            events = list(group)
            arm = events[0]["subject__allocation__arm"]
            aux = auxiliary.get(arm) if self.mode == ArmMode.ACTUAL else None
            for e in events:  # an end recorded after the cut-off was not known at it
                if e["end_date"] and e["end_date"] > self.cutoff.last_day:
                    e["end_date"] = None
            yield from sdtm.ae_rows(self.study, self.mode, code, events, aux)

    def zs(self) -> Iterator[list[Any]]:
        """The electronic signatures given before the cut-off, each with whether it stood then."""
        facts = signature_facts(self.protocol_id, self.protocol, self.cutoff)
        for code, group in itertools.groupby(facts, key=lambda f: f.subject):
            yield from sdtm.zs_rows(self.study, self.mode, code, [{
                "scope": "casebook" if f.visit is None else "visit", "printed_name": f.printed_name,
                "role": f.role, "meaning": f.meaning, "at": f.at, "state": f.state,
                "invalidated_by": f.invalidated_by, "content_sha256": f.content_sha256,
                "visit": None if f.visit is None else self.visit(*f.visit)} for f in group])

    # --- findings ---------------------------------------------------------------------------

    def finding_forms(self) -> Iterator[tuple[str, list[FindingForm]]]:
        rows = (latest_revisions(self.protocol_id, self.cutoff, self.finding_form_ids)
                .order_by("record__subject__code", "record__visit__sequence", "record__visit_id", "record__form_id")
                .values_list("record__subject__code", "record__visit__visit_id", "record__visit__scheduled",
                             "record__visit__attempt", "record__visit__done_date", "record__form_id", "data",
                             "protocol_version_id", "revision", "record__revision", "record__derived")
                .iterator(chunk_size=2000))
        for code, group in itertools.groupby(rows, key=lambda r: r[0]):
            forms = []
            for _, visit_id, scheduled, attempt, done, form_id, data, version_pk, revision, current, stored in group:
                form = self.protocol_by_pk(version_pk).form(form_id)
                known = done if done and done <= self.cutoff.last_day else None
                forms.append(FindingForm(form_id, data, derived_in_force(form, data, revision, current, stored),
                                         self.visit(visit_id, scheduled, attempt, known)))
            yield code, forms

    def finding_rows(self, name: str, code: str, forms: list[FindingForm]) -> Iterator[list[Any]]:
        if name == "RS":
            return sdtm.rs_rows(self.study, self.mode, code, forms, self.baseline)
        return sdtm.FINDINGS[name](self.study, self.mode, code, forms)

    def rows(self, name: str) -> Iterator[list[Any]]:
        if name in FINDINGS_DOMAINS:
            return (row for code, forms in self.finding_forms() for row in self.finding_rows(name, code, forms))
        return getattr(self, name.lower())()

    def fan_out(self, files: dict[str, DomainFiles]) -> None:
        """Every domain's rows to its files, in batches of `SPOOL_BATCH`; the findings domains from
        one pass over the form values (scoring each form once)."""
        findings = [n for n in files if n in FINDINGS_DOMAINS]
        if findings:
            pending: dict[str, list[list[Any]]] = {n: [] for n in findings}
            for code, forms in self.finding_forms():
                for n in findings:
                    pending[n].extend(self.finding_rows(n, code, forms))
                    if len(pending[n]) >= SPOOL_BATCH:
                        files[n].add(pending[n])
                        pending[n] = []
            for n in findings:
                files[n].add(pending[n])
        for n in files:
            if n not in FINDINGS_DOMAINS:
                for batch in itertools.batched(self.rows(n), SPOOL_BATCH):
                    files[n].add(batch)


class DomainFiles:
    """Where one domain's rows go as they are made, a batch at a time: straight into its CSV file;
    encoded into a spool per Dataset-JSON form (the metadata, which comes first, counts the rows);
    pickled into a spool for XPT (a file this process writes and reads back itself: measured in one
    pass, written in chunks in another)."""

    def __init__(self, directory: Path, info: DatasetInfo, formats: tuple[str, ...]):
        self.directory, self.info, self.formats = directory, info, formats
        self._json = {f: DatasetSpool(info, ndjson=f == "ndjson") for f in formats if f in ("json", "ndjson")}
        self._csv_file = self._path("csv").open("w", encoding="utf-8", newline="") if "csv" in formats else None
        self._csv = csv_writer(self._csv_file, info.columns) if self._csv_file is not None else None
        self._xpt = tempfile.TemporaryFile("w+b") if "xpt" in formats else None

    def _path(self, fmt: str) -> Path:
        return self.directory / f"{self.info.name.lower()}.{fmt}"

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        for spool in self._json.values():
            spool.add(rows)
        if self._csv is not None:
            self._csv.writerows(rows)
        if self._xpt is not None and rows:
            pickle.dump(list(rows), self._xpt, protocol=pickle.HIGHEST_PROTOCOL)

    def finish(self, *, created: dt.datetime, modified: dt.datetime | None, originator: str) -> list[Path]:
        """Write the files the spools hold, close the rest; returns the files, in format order."""
        for fmt in self.formats:
            if fmt in self._json:
                with self._path(fmt).open("w", encoding="utf-8") as out:
                    self._json[fmt].write(out, created=created, db_modified=modified, originator=originator)
            elif fmt == "xpt" and self._xpt is not None:
                write_xpt(self._path(fmt), self.info.name, self.info.label, self.info.columns,
                          functools.partial(_replay, self._xpt))
        self.close()
        return [self._path(fmt) for fmt in self.formats]

    def close(self) -> None:
        for spool in self._json.values():
            spool.close()
        for file in (self._csv_file, self._xpt):
            if file is not None:
                file.close()


def _replay(spool: IO[bytes]) -> Iterator[list[Any]]:
    spool.seek(0)
    while True:
        try:
            batch = pickle.load(spool)  # noqa: S301 - this export's own temporary file
        except EOFError:
            return
        yield from batch


# What a user kept from arms may take: no exposure, adverse events, labs, steroid doses or
# disposition reasons, which reveal the arm by inference; findings only from forms they may open;
# the signatures (who signed which visit, when, and whether it stands) reveal nothing of the arm.
BLINDED_DOMAINS = ("DM", "SV", "IE", "QS", "FA", "RS", "ZS")


def allowed_domains(mode: ArmMode, rights: Rights) -> tuple[str, ...]:
    if not may_see_arm(rights):
        return BLINDED_DOMAINS
    return tuple(n for n in sdtm.ORDER if mode == ArmMode.ACTUAL or not DOMAINS[n].arm_revealing)


def write_datasets(directory: Path, protocol_id: str, cutoff: Cutoff, mode: ArmMode, *, rights: Rights,
                   formats: Iterable[str] = FORMATS, domains: Iterable[str] | None = None,
                   created: dt.datetime | None = None) -> list[Path]:
    """Write each domain in each format into `directory`; returns the files written."""
    source = Source(protocol_id, cutoff, mode, rights)
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown))}; choose among {', '.join(FORMATS)}")
    allowed = allowed_domains(mode, rights)
    names = tuple(domains) if domains is not None else allowed
    refused = [n for n in names if n not in allowed]
    if refused and not may_see_arm(rights):
        raise PermissionError(f"{', '.join(refused)} could reveal the arm to a user who holds a blinded role")
    if refused:
        raise PermissionError(f"{', '.join(refused)} name the drug given and are exported only with actual arms")
    created = created or timezone.now()
    modified = database_last_modified(cutoff)
    directory.mkdir(parents=True, exist_ok=True)
    files = {n: DomainFiles(directory, source.info(n), formats) for n in names}
    written = []
    try:
        source.fan_out(files)
        for name in names:
            written += files[name].finish(created=created, modified=modified,
                                          originator=source.protocol.registry.sponsor)
    finally:
        for f in files.values():
            f.close()
    if "csv" in formats:
        path = directory / "data_dictionary.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            write_dictionary(out, [(n, DOMAINS[n].label, source.info(n).columns) for n in names])
        written.append(path)
    return written
