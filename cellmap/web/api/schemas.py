"""Pydantic models of the API's answers. Every fact carries its report (`ReportRef`) and grade."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ReportRef(BaseModel):
    """The report a fact comes from, with its Admiralty grade."""

    report_id: int
    report_key: str | None = None
    title: str | None = None
    kind: str | None = None
    date: str | None = None
    source: str | None = None
    grade: str | None = Field(
        None, description="Admiralty grade: reliability A–F then credibility 1–6"
    )
    synthetic: bool | None = None


class RelationOut(BaseModel):
    relation_id: int
    kind: str
    source_id: int
    target_id: int
    source_name: str | None = None
    target_name: str | None = None
    role: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    end_reason: str | None = None
    attrs: dict[str, Any] = {}
    grade: str | None = None
    report: ReportRef | None = None


class Count(BaseModel):
    key: str
    count: int


class Series(BaseModel):
    """One named time series: periods (ISO dates or years as text) and values."""

    name: str
    periods: list[str]
    values: list[float]
    definition: str | None = None


class Message(BaseModel):
    detail: str
