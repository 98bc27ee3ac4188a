"""Calling a Flet component with a key, type-checked.

Every `@ft.component` call takes a `key=` keyword: which instance of a component is which
among its siblings, so each keeps its own state when the list around it changes. Flet's
decorator takes it out before the component runs, but types the decorated function with
the component's own parameters only, so `PersonCard(person, key=...)` does not type-check.
`keyed(PersonCard, key)(person)` makes the same call and keeps the arguments checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def keyed(component: Callable[P, R], key: str) -> Callable[P, R]:
    """`component`, called with `key` besides its own arguments."""
    with_any_keywords: Callable[..., R] = component  # @ft.component's wrapper takes `key`

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return with_any_keywords(*args, key=key, **kwargs)

    return call
