"""Typed API errors and their handlers: every refusal is a 4xx `ErrorOut`, never a 5xx.

Routes declare the errors they can answer with `responses(...)`, so the OpenAPI schema
lists every status code a client (or schemathesis) can see.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from companion_wire import ErrorCode, ErrorOut

_DESCRIPTIONS = {
    400: "The body could not be read as JSON text (for example it is not UTF-8)",
    401: "Missing, malformed, unknown or revoked token (or wrong secret)",
    403: "Not allowed for this account (code says why; `link_ended` means drop the space)",
    404: "Not found (also said where existence must not leak)",
    409: "Conflicts with the current state (code says why)",
    413: "Request body larger than 2 MiB, or a file over its limit or its space's quota",
    429: "Rate limited; try again later",
    503: "Database unavailable for now: retry after `Retry-After` seconds",
}
RETRY_AFTER_SECONDS = 2  # a restarted or failed-over database is usually back by then
log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raise from a route to answer `status` with an `ErrorOut` body; nothing is changed."""

    def __init__(
        self, status: int, code: ErrorCode, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


def unauthorized(detail: str = "sign in: a valid device token is required") -> ApiError:
    return ApiError(401, ErrorCode.UNAUTHORIZED, detail)


def no_access() -> ApiError:
    """The same answer for a space that does not exist and one that is not yours."""
    return ApiError(403, ErrorCode.NO_ACCESS, "no access to this space")


def link_ended() -> ApiError:
    return ApiError(403, ErrorCode.LINK_ENDED, "link ended")


def not_found(what: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, f"{what} not found")


def invalid_field(location: tuple[str, ...], message: str, value: Any) -> RequestValidationError:
    """A 422 shaped exactly like FastAPI's own, for checks a model alone cannot make."""
    return RequestValidationError(
        [{"type": "value_error", "loc": location, "msg": message, "input": value}]
    )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer with."""
    return {
        status: {"model": ErrorOut, "description": _DESCRIPTIONS[status]} for status in statuses
    }


def _body(status: int, code: ErrorCode, detail: str, headers: dict[str, str] | None = None):
    content = ErrorOut(detail=detail, code=code).model_dump(mode="json")
    return JSONResponse(content, status_code=status, headers=headers)


def unavailable() -> JSONResponse:
    """503 with Retry-After and a JSON body: clients back off and retry."""
    return _body(
        503,
        ErrorCode.UNAVAILABLE,
        "the database is unavailable; retry shortly",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _internal(exc: Exception) -> JSONResponse:
    """A bug, never a bare text 500: logged with its type only (no request content)."""
    log.error("unexpected %s", type(exc).__name__, exc_info=exc)
    return _body(500, ErrorCode.INTERNAL, "internal error")


_HTTP_CODES = {
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    413: ErrorCode.BODY_TOO_LARGE,
}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else exc.headers
        return _body(exc.status, exc.code, exc.detail, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.BAD_REQUEST)
        return _body(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # The database went away (restart, failover, a terminated connection, a full pool):
        # nothing was acknowledged, and every write is safe to retry (push is idempotent).
        log.warning("database unavailable: %s", type(exc).__name__)
        return unavailable()

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _unavailable(request, exc)
        return _internal(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _internal(exc)

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        # A race lost to a concurrent request (for example the same id twice at once).
        return _body(409, ErrorCode.CONFLICT, "conflicts with a concurrent change; retry")
