"""Errors that stop a run (exit 2). Everything else is a finding."""


class UsageError(Exception):
    """The run cannot be done: bad arguments, config or an unreadable registry. One line, exit 2."""
