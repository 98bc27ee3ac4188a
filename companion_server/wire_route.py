"""Every API route reads JSON bodies strictly: what the wire cannot carry is a 422 with a
reason before any model sees it.

Python's `json` accepts `NaN`, `Infinity` and numbers too large for a float (`1e999999`
reads as infinity), and `"\\ud800"` escapes that decode to lone surrogates, which no
database or UTF-8 encoder takes. Each used to surface much later as a 500. `WireRoute`
(every router's `route_class`) hands FastAPI a request whose `json()` refuses them, raised
as the `JSONDecodeError` FastAPI already answers as a 422 `json_invalid` error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

# A surrogate escape (\uD800-\uDFFF): only then can a parsed string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _no_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def _int64(text: str) -> int:
    if len(text.lstrip("-")) > 19:  # the wire's integers are 64-bit at most
        raise json.JSONDecodeError("integer out of range (more than 64 bits)", text, 0)
    return int(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise json.JSONDecodeError("number out of range (not a finite double)", text, 0)
    return value


def _refuse_lone_surrogates(value: Any, document: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise json.JSONDecodeError(
                    "a string holds a lone surrogate (not Unicode text)", document, 0
                ) from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_strict(body: bytes) -> Any:
    """`json.loads` minus what JSON text cannot mean: non-finite numbers, lone surrogates."""
    value = json.loads(body, parse_constant=_no_constant, parse_float=_finite, parse_int=_int64)
    if _SURROGATE_ESCAPE.search(body):
        _refuse_lone_surrogates(value, body.decode("utf-8", "replace"))
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class WireRoute(APIRoute):
    """An APIRoute whose JSON body is read with `loads_strict`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
