"""`python -m linters`: the command line. Subcommands live in linters/commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from . import commands
from .errors import UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or with only `only` when that names a command module
    (importing every command costs a check run a tenth of a second it does not need)."""
    parser = _Parser(prog="python -m linters", description="Check patient-facing medical pages: claims, sources, contradictions, reading level.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__) if not info.name.startswith("_"))
    for name in [only] if only in names else names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(argv[0] if argv and not argv[0].startswith("-") else None).parse_args(argv)
        return int(args.run(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug in the linter: one line, not a traceback, unless asked for
        if os.environ.get("LINTERS_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set LINTERS_DEBUG=1 for details)", file=sys.stderr)
        return 2
