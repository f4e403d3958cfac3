"""One exception type for everything a user can fix: the CLI prints its message as one line, and the
Python API raises it as it is (a ValueError, so `except ValueError` catches bad input), shown
by IPython and Jupyter as that one line."""
from __future__ import annotations


class UserError(ValueError):
    """Bad input or environment; the message says what is wrong and what to do."""

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show for it: the one line, as the command prints it, without the
        frames (they are ours, and say nothing the message does not)."""
        return [f"{type(self).__name__}: {self}"]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a driver's own, when wrapped), or its type."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
