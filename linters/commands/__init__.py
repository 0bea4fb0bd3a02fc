"""Subcommands of `python -m linters`. Each module defines `register(subparsers)`."""
