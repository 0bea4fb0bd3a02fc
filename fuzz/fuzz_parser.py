"""atheris target: the page reader and parser on arbitrary input. No crash, every position inside the source.

    python fuzz/fuzz_parser.py -runs=100000 CORPUS_DIR      (or scripts/fuzz.sh)
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["linters", "markdown_it", "mdit_py_plugins", "fuzz"]):
    from fuzz import invariants
    from linters.pages import parse_bytes
    from linters.parse.page import parse_page


def test_one_input(data: bytes) -> None:
    if data[:1] == b"\x00":  # raw bytes: the encoding and binary checks of a page file
        invariants.check_page(parse_bytes("docs/fuzz.md", data[1:]))
        return
    # UTF-8, so seed pages are read as written; invalid bytes become U+FFFD.
    invariants.check_page(parse_page("docs/fuzz.md", data.decode("utf-8", "replace")))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
