"""The build's messages, through `logging` (the logger "build_site"), so that each face decides where
they go: the command prints them (rich on a terminal, plain lines otherwise; -q, -v), Python stays
quiet unless asked (`verbose=True`, or the caller's own logging configuration)."""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from rich.console import Console

LOGGER = logging.getLogger("build_site")
_console: Console | None = None  # the command's console on a terminal: its messages and its progress bars


def log(message: str) -> None:
    """A step of the build: what it did and how long it took (INFO)."""
    LOGGER.info(message)


def debug(message: str) -> None:
    """A detail only -v shows (DEBUG)."""
    LOGGER.debug(message)


def warn(message: str) -> None:
    """Something the user may want to fix, the build going on (WARNING)."""
    LOGGER.warning(message)


def error(message: str) -> None:
    """A failure the process lives through (a rebuild by `serve`), told as the command tells errors (ERROR)."""
    LOGGER.error(message)


def on_terminal(stream: object = None) -> bool:
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class _Terminal(logging.Handler):
    """One line per message on a terminal, warnings in yellow and details dimmed (rich's Console leaves
    the colour out under NO_COLOR or TERM=dumb); no wrapping padding, no highlighting of numbers."""

    STYLES: ClassVar[dict[int, str]] = {logging.DEBUG: "dim", logging.WARNING: "yellow", logging.ERROR: "red"}

    def __init__(self, level: int, console: Console) -> None:
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), style=self.STYLES.get(record.levelno), markup=False)
        except Exception:  # noqa: BLE001 - logging's own contract: a failing handler does not stop the build
            self.handleError(record)


def command_handler(level: int) -> logging.Handler:
    """The command's handler on stderr: rich on a terminal, plain lines otherwise (a pipe, a file, a CI log)."""
    if on_terminal():
        from rich.console import Console

        global _console
        _console = Console(stderr=True, highlight=False, soft_wrap=True)
        return _Terminal(level, _console)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.setLevel(level)
    return handler


def setup_command(level: int) -> None:
    """The command's logging: its own handler at `level`, not passed on to the root logger."""
    for old in list(LOGGER.handlers):
        LOGGER.removeHandler(old)
    LOGGER.addHandler(command_handler(level))
    LOGGER.setLevel(level)
    LOGGER.propagate = False


@contextlib.contextmanager
def command_scope() -> Iterator[None]:
    """The logger as it was, back after the command (main() called in a process that goes on: a test)."""
    global _console
    saved = (list(LOGGER.handlers), LOGGER.level, LOGGER.propagate)
    try:
        yield
    finally:
        _console = None
        LOGGER.handlers[:] = saved[0]
        LOGGER.setLevel(saved[1])
        LOGGER.propagate = saved[2]


@contextlib.contextmanager
def verbose(on: bool) -> Iterator[None]:
    """From Python: the build's steps on stderr for the length of one call when `on`; otherwise nothing
    is added, and the caller's own logging configuration decides (none: warnings only, Python's default)."""
    if not on:
        yield
        return
    handler = None
    if not LOGGER.handlers:  # not the command's handler again; the root's (a caller's) still hear them too
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
    level = LOGGER.level
    LOGGER.setLevel(min(logging.INFO, LOGGER.getEffectiveLevel()))
    try:
        yield
    finally:
        if handler:
            LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)


@contextlib.contextmanager
def progress(what: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar for a stage that takes seconds (`what`: "rows read"), shown by the command on a
    terminal at its usual level and cleared when done (the stage's own line follows); elsewhere nothing.
    Yields `advance(n)`, which any thread may call."""
    if _console is None or LOGGER.getEffectiveLevel() > logging.INFO:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = ((TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()) if total else
               (TextColumn("{task.description}"), TextColumn("{task.completed:,}")))
    with Progress(*columns, TimeElapsedColumn(), console=_console, transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)
