"""When two stated values disagree, and the registry's structured facts as values.

Two values conflict when their intervals do not overlap after tolerance: an
approximate value ("about two weeks") is widened by 20%, an approximate range
by 10%, on each side. Widening is multiplicative, so "about 45 minutes to an
hour" and "approximately 1.25 to 1.5 hours" still conflict (75 > 60 x 1.1 x
1.1), while "12 days" and "about two weeks" do not (14 / 1.2 < 12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .facts import facet_by_name, unit_form
from .grammar import APPROX_POINT_TOLERANCE, APPROX_RANGE_TOLERANCE, describe


def down(low: float, tolerance: float) -> float:
    """The lowest value a stated low end allows."""
    return low / (1 + tolerance)


def up(high: float, tolerance: float) -> float:
    """The highest value a stated high end allows."""
    return high * (1 + tolerance)


def disjoint(a_low: float, a_high: float, a_tol: float, b_low: float, b_high: float, b_tol: float) -> bool:
    """Do two intervals fail to overlap even after each is widened by its tolerance?"""
    return up(a_high, a_tol) < down(b_low, b_tol) or up(b_high, b_tol) < down(a_low, a_tol)


@dataclass(frozen=True)
class ClaimValue:
    """A claim's structured fact as an interval in base units."""

    claim: str
    facet: str  # canonical facet id
    raw_facet: str
    subject: str | None
    kind: str
    low: float
    high: float
    tolerance: float

    def describe(self) -> str:
        return describe(self.kind, self.low, None if math.isinf(self.high) else self.high, "value" if self.low == self.high else "range")


def claim_values(claim_id: str, claim) -> list[ClaimValue]:
    """The numeric facts of a registry claim, converted to base units (facts with an unknown unit are skipped)."""
    out = []
    for fact in claim.facts or []:
        if fact.facet == "regulatory-status" or not fact.unit:
            continue
        form = unit_form(fact.unit)
        if form is None:
            continue
        facet = facet_by_name(fact.facet)
        if fact.value is not None:
            low = high = fact.value * form.factor
            tol = APPROX_POINT_TOLERANCE if fact.approx else 0.0
        else:
            low = (fact.min or 0.0) * form.factor
            high = fact.max * form.factor if fact.max is not None else math.inf
            tol = APPROX_RANGE_TOLERANCE if fact.approx else 0.0
        out.append(ClaimValue(claim_id, facet.id if facet else fact.facet, fact.facet, fact.subject, form.kind, low, high, tol))
    return out


def fits(value: float, step: float, tolerance: float, cv: ClaimValue) -> bool:
    """Is a number stated in a sentence consistent with a claim's value (rounding and tolerance allowed)?"""
    lo = down(value, tolerance) - step / 2
    hi = up(value, tolerance) + step / 2
    return not (hi < down(cv.low, cv.tolerance) * (1 - 1e-9) or up(cv.high, cv.tolerance) * (1 + 1e-9) < lo)
