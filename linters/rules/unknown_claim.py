"""unknown-claim: a claim tag that points nowhere.

## What it does
Flags a claim tag whose id is not in the claims registry, an empty tag
(`[[claim:]]`), or an id that breaks the id syntax (lowercase letters, digits
and hyphens).

## Why is this bad?
A tag is the page's promise that a reviewed source stands behind the sentence.
A tag that points nowhere is a citation to nothing: the reader sees a footnote
number, and no one has checked the claim.

## Example
```markdown
Most people need six infusions [[claim:six-infusion]].
```
(the registry has `course-six-infusions`, not `six-infusion`)

## Use instead
```markdown
Most people need six infusions [[claim:course-six-infusions]].
```
"""

from __future__ import annotations

from . import Example, Rule
from ..parse.tags import MAX_ID_LENGTH, is_valid_id


def check(doc, ctx):
    for tag in doc.tags:
        ids = [i for i in tag.ids]
        if not any(ids):
            yield ctx.at_line(RULE, doc.path, tag.line, tag.column, "This claim tag names no claim. Write the id of a registry claim, e.g. [[claim:infusion-duration]].", tag.raw[:200])
            continue
        for cid in ids:
            if not cid:
                yield ctx.at_line(RULE, doc.path, tag.line, tag.column, "This claim tag has an empty id between commas.", tag.raw[:200])
            elif not is_valid_id(cid):
                shown = cid if len(cid) <= 60 else cid[:57] + "..."
                why = f"longer than {MAX_ID_LENGTH} characters" if len(cid) > MAX_ID_LENGTH else "ids are lowercase letters, digits and hyphens"
                yield ctx.at_line(RULE, doc.path, tag.line, tag.column, f"`{shown}` is not a valid claim id ({why}).", tag.raw[:200])
            elif cid not in ctx.registry.claims:
                where = "the claims registry" if ctx.registry.present else "a claims registry (this project has no claims/ folder)"
                yield ctx.at_line(RULE, doc.path, tag.line, tag.column, f"Claim `{cid}` is not in {where}. Fix the id or add the claim with its source.", tag.raw[:200])


RULE = Rule(
    id="unknown-claim",
    summary="A claim tag names a claim that is not in the registry.",
    check=check,
    severity="warning",
    publish_severity="error",
    examples=[
        Example("Six infusions are usual [[claim:no-such-claim]].", True),
        Example("Six infusions are usual [[claim:]].", True),
        Example("Six infusions are usual [[claim:<script>]].", True),
        Example("The code `[[claim:no-such-claim]]` is shown as text.", False, "a tag inside code is text"),
    ],
)
