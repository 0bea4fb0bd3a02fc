"""Every rule's documented examples, and every data-file example, are run as tests.

A rule module documents itself (four-part docstring) and lists sentences it
must and must not flag; this is where those promises are kept.
"""

from __future__ import annotations

import pytest

from linters.config import Config
from linters.context import Context
from linters.parse.page import parse_page
from linters.patterns import load_data
from linters.registry.load import Registry
from linters.rules import all_rules
from linters.rules.prohibited_claim import prohibited_spans

RULES = all_rules()
EXAMPLES = [(rule.id, ex) for rule in RULES.values() for ex in rule.examples]


def findings_for(rule, text: str):
    doc = parse_page("docs/example.md", text + "\n")
    ctx = Context(registry=Registry(present=True), config=Config(vale="off"))
    if rule.scope == "corpus":
        collected = {doc.path: (rule.collect(doc, ctx) if rule.collect else doc)}
        return [f for f in rule.check(collected, ctx) if f.rule == rule.id or f.rule.startswith(rule.id + ".")]
    return [f for f in rule.check(doc, ctx) if f.rule == rule.id]


@pytest.mark.parametrize("rule_id, example", EXAMPLES, ids=[f"{r}:{e.text[:40]}" for r, e in EXAMPLES])
def test_rule_example(rule_id, example):
    found = findings_for(RULES[rule_id], example.text)
    assert bool(found) == example.flagged, (example.text, example.note, [f.message for f in found])


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_every_rule_documents_itself(rule):
    doc = rule.doc
    for part in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert part in doc, f"{rule.id}: docstring lacks {part!r}"
    assert rule.summary


PROHIBITED = load_data("prohibited.yml")
PHRASE_EXAMPLES = [(p["id"], ex) for p in PROHIBITED["phrases"] for ex in p.get("examples", [])] + [
    (PROHIBITED["approval"]["id"], ex) for ex in PROHIBITED["approval"]["examples"]
]


@pytest.mark.parametrize("phrase_id, sentence", PHRASE_EXAMPLES)
def test_prohibited_data_file_examples_are_caught_by_their_own_entry(phrase_id, sentence):
    assert phrase_id in [entry["id"] for _, _, entry in prohibited_spans(sentence)]


def test_every_prohibited_entry_has_reason_source_and_message():
    for entry in PROHIBITED["phrases"] + [PROHIBITED["approval"]]:
        assert entry["reason"] and entry["source"] and entry["message"], entry["id"]
        assert entry.get("examples"), f"{entry['id']} has no examples"
