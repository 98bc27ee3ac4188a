"""Running a service action from a screen: its error shown where the screen puts it, and
"busy" while it waits, so buttons can be disabled instead of pressed twice.

`action = use_action()` gives a component one `Action`. A screen with more state makes its
model a `Form` subclass kept by `use_model` (`class SignIn(Form)`), so its fields, error
and busy flag are one observable. Either re-renders the component when a field changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import flet as ft

from companion.core.errors import ServiceError

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """A successful run and what the action returned (truthy even when that is None)."""

    value: T


@ft.observable
@dataclass
class Action:
    """The last failure of a screen's service calls, and whether one is running."""

    error: ServiceError | None = None
    busy: bool = False

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Done[T] | None:
        """Call `fn`; on a ServiceError keep it as `error` and return None, else clear it."""
        try:
            value = fn(*args, **kwargs)
        except ServiceError as failure:
            self.error = failure
            return None
        self.error = None
        return Done(value)

    async def run_async(
        self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
    ) -> Done[T] | None:
        """Await `fn` while `busy`; the old error goes away as soon as it starts."""
        self.error = None
        self.busy = True
        try:
            value = await fn(*args, **kwargs)
        except ServiceError as failure:
            self.error = failure
            return None
        finally:
            self.busy = False
        return Done(value)

    def when_idle(self, handler: Callable[..., Any]) -> Callable[..., Any] | None:
        """`handler`, or None while busy: a button given None is disabled."""
        return None if self.busy else handler


def use_action() -> Action:
    """Hook: this component's `Action`, kept across renders."""
    return use_model(Action)


M = TypeVar("M")


def use_model(make: Callable[[], M]) -> M:
    """Hook: an observable model made once (`make()` on the first render) and kept; the
    component re-renders whenever one of its fields changes."""
    # Spelled out: use_state's `value | factory` argument leaves mypy unable to infer M.
    state: tuple[M, Callable[[M], None]] = ft.use_state(make)
    return state[0]


@ft.observable
@dataclass
class Form(Action):
    """Base of a screen's model: its own fields (subclass), plus the Action's error and busy.
    `form.setter("title")` is a text field's on_change."""

    def setter(self, name: str) -> Callable[[Any], None]:
        def assign(value: Any) -> None:
            setattr(self, name, value)

        return assign
