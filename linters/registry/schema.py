"""The registry's schema: what a claim must have. Pydantic does the validation."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..parse.tags import ID_PATTERN, MAX_ID_LENGTH

Status = Literal["draft", "pending", "approved", "rejected", "retired"]
Category = Literal[
    "efficacy", "safety", "risk", "procedure", "regulatory", "mechanism", "history", "eligibility", "cost", "statistic", "comparison"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(_Strict):
    ref: str = Field(min_length=1, description="key of a reference in the CSL-JSON file")
    locator: str = Field(min_length=1, description="where in the source: section, page, table")
    quote: str = Field(min_length=1, description="the supporting passage, verbatim")


class Fact(_Strict):
    """A structured number (or a regulatory status) the contradiction checks compare pages with."""

    facet: str = Field(min_length=1)
    subject: str | None = None
    value: float | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    approx: bool = False
    entity: str | None = None
    regulator: str | None = None
    indication: str | None = None
    approved: bool | None = None

    @model_validator(mode="after")
    def _shape(self) -> "Fact":
        if self.facet == "regulatory-status":
            if self.entity is None or self.approved is None:
                raise ValueError("a regulatory-status fact needs `entity` and `approved`")
            return self
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("a fact needs `value`, or `min` and/or `max`")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either `value` or `min`/`max`, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min:g}) is larger than `max` ({self.max:g})")
        return self


class Review(_Strict):
    status: Status
    reviewer: str | None = None
    approved_on: date | None = None
    next_review: date | None = None
    fingerprint: str | None = None
    reason: str | None = None
    rejected_on: date | None = None

    @model_validator(mode="after")
    def _approved_has_signature(self) -> "Review":
        if self.status == "approved":
            missing = [k for k in ("reviewer", "approved_on", "next_review", "fingerprint") if getattr(self, k) in (None, "")]
            if missing:
                raise ValueError(f"an approved claim needs {', '.join(missing)}")
        return self


class Claim(_Strict):
    id: str
    statement: str = Field(min_length=1)
    category: Category
    sources: list[Source] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    review: Review
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_syntax(cls, v: str) -> str:
        if len(v) > MAX_ID_LENGTH or not ID_PATTERN.fullmatch(v):
            raise ValueError("ids are lowercase letters, digits and single hyphens, e.g. `infusion-duration`")
        return v

    @model_validator(mode="after")
    def _sourced(self) -> "Claim":
        if self.review.status not in ("draft", "retired") and not self.sources:
            raise ValueError("a claim needs at least one source (ref, locator, quote) unless it is a draft")
        return self


class ClaimsFile(_Strict):
    claims: list[dict] = Field(default_factory=list)
