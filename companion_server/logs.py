"""Structured logs: one JSON object per line (journald, Loki and friends read them as is).

What the server logs is its own doing: what happened, to which route, how long it took,
error types. Never a request body, a header, a query string, a token or record content:
the routes log none, the request line (metrics.py) carries the route template only, and
this formatter drops exception *messages* from the database driver (they can quote the
statement's parameters), keeping their type and traceback lines.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

# LogRecord's own attributes (and uvicorn's terminal colours); anything else on a record
# came from `extra=` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            line["error"] = kind.__name__
            line["trace"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(line, default=str)


def configure(level: str = "info", fmt: str = "json") -> None:
    """Route every logger (ours, uvicorn's, SQLAlchemy's) through one handler on stderr."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
