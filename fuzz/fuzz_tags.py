"""atheris target: the claim-tag syntax. No crash; reader, pattern and explanation agree.

    python fuzz/fuzz_tags.py -runs=100000 CORPUS_DIR      (or scripts/fuzz.sh)
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["linters", "fuzz"]):
    from fuzz import invariants
    from linters.parse import tags as tagsyntax


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    start = text.find(tagsyntax.TAG_OPEN)
    while start >= 0:
        invariants.check_tag_at(text, start)
        start = text.find(tagsyntax.TAG_OPEN, start + 1)
    # Round trip: whatever sits between the brackets, a tag made of it reads back as written.
    inner = text.replace("]", "").replace("\n", "")[: tagsyntax.MAX_TAG_LENGTH]
    tag = tagsyntax.TAG_OPEN + inner + tagsyntax.TAG_CLOSE
    assert tagsyntax.match_tag(tag, 0) == (len(tag), inner)
    assert tagsyntax.split_ids(inner) == tuple(part.strip() for part in inner.split(","))
    assert tagsyntax.is_valid_id(inner) == (len(inner) <= tagsyntax.MAX_ID_LENGTH and tagsyntax.ID_PATTERN.fullmatch(inner) is not None)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
