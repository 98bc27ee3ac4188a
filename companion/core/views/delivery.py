"""Getting a value from any thread or task onto one page's UI.

Services publish from wherever they run: the sync engine from worker threads, the reminder
scheduler from its task. A state setter must run on the page's loop *and* in the page's
context: Flet finds the session to update through a context variable, so a callback that
runs in the publisher's context updates whichever page started the publisher (or none, if
it started outside any page), not the page that is listening.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import TypeVar

import flet as ft

T = TypeVar("T")


def to_this_page(setter: Callable[[T], object]) -> Callable[[T], None]:
    """A function any thread may call with a value: `setter(value)` then runs on this page's
    loop, in this page's context. Call it while rendering or in an effect; the loop is
    taken now, because once the browser disconnects `page.loop` raises, and a listener
    that raised would break the publisher itself."""
    loop = ft.context.page.loop
    context = contextvars.copy_context()

    def deliver(value: T) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(setter, value, context=context)

    return deliver
