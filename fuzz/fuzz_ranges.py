"""atheris target: the quantity and range grammar (`linters.quantities.find_mentions`).

No crash; every mention's span is its text; intervals are ordered.

    python fuzz/fuzz_ranges.py -runs=100000 CORPUS_DIR      (or scripts/fuzz.sh)
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["linters", "fuzz"]):
    from fuzz import invariants
    from linters.quantities import find_mentions


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    invariants.check_mentions(text, find_mentions(text))


if __name__ == "__main__":
    find_mentions("warm up: 40 to 60 minutes")  # load units and data once, outside the timed inputs
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
