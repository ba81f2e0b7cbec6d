"""Request and response shapes of the API, which are also its OpenAPI document.

Requests are strict: unknown keys are refused (never silently dropped) and values are not
coerced ("5" is not 5). Form values themselves are checked against the protocol by the records
layer (`capture.validation`), which knows each field's type, range and choices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictStr

MAX_REASON = 2000


class Request(Schema):
    model_config = ConfigDict(extra="forbid")


# --- errors ------------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str
    rule: str
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="one sentence saying what was refused and why")
    errors: list[FieldErrorOut] = Field(description="each problem, naming the field and the rule")


# The refusals each kind of route can give, for the OpenAPI document.
READ_ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 404)}
WRITE_ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413)}


# --- subjects and visits -----------------------------------------------------------------------


class SubjectCreate(Request):
    site: StrictStr = Field(min_length=1, max_length=8, description="code of the site, e.g. TNN")
    protocol: StrictStr | None = Field(
        default=None, max_length=64,
        description="protocol id; may be left out while a single protocol is loaded")


class SubjectOut(Schema):
    code: str
    site: str
    protocol_id: str
    status: str
    screening_attempt: int
    created_at: AwareDatetime


class FormSummaryOut(Schema):
    form_id: str
    state: Literal["none", "draft", "complete", "locked"]
    revision: int


class VisitOut(Schema):
    id: int = Field(description="the visit's number; use it in paths for unscheduled visits")
    visit_id: str = Field(description="the protocol's visit id, e.g. SCR or W16")
    scheduled: bool
    target_date: dt.date | None
    earliest_date: dt.date | None
    latest_date: dt.date | None
    done_date: dt.date | None
    missed: bool
    forms: list[FormSummaryOut] = Field(description="the forms this caller may open at this visit")


# --- forms -------------------------------------------------------------------------------------


class FormWrite(Request):
    data: dict[str, Any] = Field(description="the form's values by field name; null means not known")
    reason: StrictStr = Field(default="", max_length=MAX_REASON,
                              description="reason for change; required once the form has been saved")


class ReasonIn(Request):
    reason: StrictStr = Field(default="", max_length=MAX_REASON)


class SignatureOut(Schema):
    scope: Literal["visit", "casebook"]
    printed_name: str
    role: str
    meaning: str = Field(description="what the signer confirmed, in words")
    signed_at: AwareDatetime
    status: Literal["valid", "invalidated", "broken"] = Field(
        description="valid; invalidated by a later change; broken: the data no longer match the signed hash")
    invalidated_by: str = Field(description="the change that invalidated the signature, if any")
    content_sha256: str


class RecordOut(Schema):
    subject: str
    visit: str = Field(description="the protocol's visit id")
    visit_number: int = Field(description="the visit's id in API paths")
    form_id: str
    data: dict[str, Any]
    derived: dict[str, Any]
    state: Literal["draft", "complete", "locked"]
    revision: int
    protocol_version: str = Field(description="protocol id and version number, e.g. nct06965244 v1")
    updated_at: AwareDatetime
    signatures: list[SignatureOut] = Field(default_factory=list,
                                           description="electronic signatures over this record's visit or casebook")


class ChangeOut(Schema):
    field: str
    old: Any
    new: Any


class RevisionOut(Schema):
    revision: int
    at: AwareDatetime
    user: str
    reason: str
    protocol_version: str
    changes: list[ChangeOut]


# --- queries -----------------------------------------------------------------------------------


class QueryCreate(Request):
    subject: StrictStr = Field(max_length=20)
    visit: StrictStr = Field(max_length=16, description="protocol visit id (SCR) or visit number")
    form_id: StrictStr = Field(max_length=64)
    field: StrictStr = Field(max_length=64)
    text: StrictStr = Field(max_length=MAX_REASON)


class AnswerIn(Request):
    answer: StrictStr = Field(max_length=MAX_REASON)


class QueryOut(Schema):
    id: int
    subject: str
    visit: str
    visit_number: int
    form_id: str
    field: str
    text: str
    status: Literal["open", "answered", "closed"]
    raised_by: str
    raised_at: AwareDatetime
    answer: str
    answered_by: str | None
    answered_at: AwareDatetime | None
    closed_at: AwareDatetime | None
