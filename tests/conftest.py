"""What every test shares: no example is timed, and each test leaves logging as it found it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Hypothesis's default 200 ms deadline per example is a timed test: on a loaded CI machine
# a correct merge fails it. Speed is measured in benchmarks/, not here.
settings.register_profile("companion", deadline=None)
settings.load_profile("companion")

# Loggers whose handlers or propagation `companion_server.logs.configure` rewrites.
_REWIRED = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """Undo `logs.configure` after a test that runs the server's CLI in-process.

    The CLI points the root logger at a handler bound to the `sys.stderr` of that moment:
    pytest's capture, closed when the test ends. Left in place, every later log line, from
    any thread, fails to write and prints a traceback instead, and on Python 3.11 printing a
    traceback parses source with `ast` (for its carets). Two threads in `ast` at once trip
    CPython's shared recursion counter (gh-106905): the architecture tests' own
    `ast.parse` then failed with "AST constructor recursion depth mismatch".
    """
    saved = [
        (logger, [h for h in logger.handlers if not _pytests(h)], logger.level, logger.propagate)
        for logger in map(logging.getLogger, _REWIRED)
    ]
    yield
    for logger, handlers, level, propagate in saved:
        # pytest's own capture handlers come and go with each test phase: keep today's.
        logger.handlers[:] = [h for h in logger.handlers if _pytests(h)] + handlers
        logger.setLevel(level)
        logger.propagate = propagate


def _pytests(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")
