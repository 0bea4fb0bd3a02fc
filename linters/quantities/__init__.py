"""Quantities and the facts pages state with them: grammar, facets, subjects, regulatory status.

`grammar` turns a sentence into `Mention`s (numbers, units, ranges, bounds),
normalised with pint. `facts` assigns each to a facet and subject from
`linters/data/facets.yml` and reads categories and approval statements.
`compare` decides when two of them disagree. The `contradiction` and
`claim-drift` rules are built on these.
"""

from .facts import CategoryFact, NumberFact, PageFacts, RangeProblem, StatusFact, knowledge, page_facts
from .grammar import Mention, describe, find_mentions, unit_registry

__all__ = [
    "CategoryFact",
    "Mention",
    "NumberFact",
    "PageFacts",
    "RangeProblem",
    "StatusFact",
    "describe",
    "find_mentions",
    "knowledge",
    "page_facts",
    "unit_registry",
]
