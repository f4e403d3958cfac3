"""One exception type for everything a user can fix: the CLI prints its message as one line, and the
Python API raises it as it is (a ValueError, so `except ValueError` catches bad input), shown
by IPython and Jupyter as that one line. A message names an option by its Options field through `flag`,
which words it as the face in use does."""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator


class UserError(ValueError):
    """Bad input or environment; the message says what is wrong and what to do, and `option` which
    option (an Options field) to fix, when one is to blame."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show for it: the one line, as the command prints it, without the
        frames (they are ours, and say nothing the message does not)."""
        return [f"{type(self).__name__}: {self}"]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a driver's own, when wrapped), or its type."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# The face the user speaks through: an option is named as they wrote it. Set by each face around its
# call (a context variable: each thread and each asyncio task has its own, the command's by default).
_FACE: contextvars.ContextVar[str] = contextvars.ContextVar("build_site_face", default="command")
_COMMAND = {"metrics": "--metric", "video_metric": "--video-metric", "from_": "--from", "notes": "--note"}
_PYTHON = {"metrics": "metric", "notes": "note", "db": "data", "csv": "data", "parquet": "data",
           "video_metric": "metric", "out": "path"}
_MISSING = object()


@contextlib.contextmanager
def face(name: str) -> Iterator[None]:
    """Name options for the duration as "command" (`--fill`), "python" (`fill=`) or "config" (`fill`) does."""
    token = _FACE.set(name)
    try:
        yield
    finally:
        _FACE.reset(token)


def flag(field: str, value: object = _MISSING) -> str:
    """Option `field` (an Options field name), with the value given when there is one, in the words of the
    current face: `--fill 'x'` on the command line, `fill='x'` from Python, `fill = 'x'` in a config file."""
    kind = _FACE.get()
    if kind == "python":
        name = _PYTHON.get(field, field)
        return f"{name}=" if value is _MISSING else f"{name}={value!r}"
    if kind == "config":
        field = field.rstrip("_")  # from_ is `from` in a file
        return field if value is _MISSING else f"{field} = {value!r}"
    name = _COMMAND.get(field, "--" + field.replace("_", "-"))
    if value is _MISSING:
        return name
    if isinstance(value, (list, tuple)):  # --bbox=-25,34,45,72: '=' so that a leading '-' is not a flag
        return f"{name}={','.join(f'{v:g}' if isinstance(v, float) else str(v) for v in value)}"
    return f"{name} {value!r}" if isinstance(value, str) else f"{name} {value}"
