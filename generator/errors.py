"""One exception type for everything a user can fix: the CLI prints its message as one line."""
from __future__ import annotations


class UserError(Exception):
    """Bad input or environment; the message says what is wrong and what to do."""
