"""Live nudges: after a commit, tell listeners "space S is at version V"; they then pull.

The fan-out, apart from any route: `subscription.py` (one listener's pending nudges, and
the audience rule: who may hear what), `notifier.py` (the `Notifier` every request reaches
and the in-process hub of listeners), `postgres.py` (LISTEN/NOTIFY between API processes).
The `/v1/live` WebSocket that subscribes connections is `companion_server/routes/live.py`.
"""

from __future__ import annotations

from companion_server.db.engine import is_sqlite
from companion_server.nudges.notifier import InProcessNotifier, Notifier
from companion_server.nudges.postgres import PostgresNotifier
from companion_wire import LiveNudge


def notifier_for(database_url: str) -> Notifier:
    """LISTEN/NOTIFY on PostgreSQL (several API processes); in-process on SQLite."""
    if is_sqlite(database_url):
        return InProcessNotifier()
    return PostgresNotifier(database_url)


def links_changed(space_id: str) -> LiveNudge:
    """The nudge for a change of a space's links (publish it after the commit): the youth's
    app refreshes who is linked at once, and a person whose link just ended pulls, is told
    `link_ended` and drops what they had of that space. Everyone linked hears it, so it
    names no version (which would say how busy the space is)."""
    return LiveNudge(space_id=space_id, version=0, kinds=[])
