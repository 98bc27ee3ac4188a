"""Merging a local record with the server's version: per field, last writer wins.

Pure functions over field values and stamps, so the rule every device applies is the same
and can be tested on its own. Two devices that merge the same pair reach the same result.
Diary text is the exception: when both sides changed it since the last common version, the
newer text stays in the entry and the other one is handed back as `losing_text`, for a
conflict copy the youth can tidy up (nothing a person wrote disappears).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from companion.domain.hlc import Stamp
from companion.sync.fields import digest

_ABSENT = ""  # sorts before every real stamp: a field one side does not have loses


@dataclass(frozen=True)
class Merged:
    values: dict[str, Any]
    stamps: dict[str, str]
    same_as_remote: bool  # no local value survived: store the remote version as it is
    losing_text: str | None = None  # diary text edited on both sides: the one not kept
    # Fields both sides changed since they last agreed: the newer value was kept and the
    # other one replaced. Reported to the user, so the replaced edit is not lost silently.
    overridden: list[str] = field(default_factory=list)


def _node(stamp: str) -> str | None:
    try:
        return Stamp.parse(stamp).node
    except ValueError:
        return None


def _winner(
    local_value: Any, local_stamp: str, remote_value: Any, remote_stamp: str
) -> tuple[bool, str]:
    """(local wins?, stamp). Equal stamps cannot carry different values unless a stamp was
    reused; the digest then breaks the tie the same way on every device."""
    if local_stamp != remote_stamp:
        return local_stamp > remote_stamp, max(local_stamp, remote_stamp)
    return digest(local_value) > digest(remote_value), local_stamp


def merge(
    local: Mapping[str, Any],
    local_stamps: Mapping[str, str],
    base: Mapping[str, str | None],
    remote: Mapping[str, Any],
    remote_stamps: Mapping[str, str],
    *,
    my_node: str,
    text_field: str | None = None,
) -> Merged:
    """Merge field by field. `base` holds the stamps the server had when this device last
    synced the record; a side "changed" a field when its stamp differs from that base.

    `text_field` names a field whose concurrent edits are both kept (diary text). A remote
    stamp made by this device (`my_node`) is this device's own earlier edit, never a
    concurrent one.
    """
    values: dict[str, Any] = {}
    stamps: dict[str, str] = {}
    losing_text: str | None = None
    overridden: list[str] = []
    local_survives = False
    for name in sorted(set(local) | set(remote)):
        l_value, r_value = local.get(name), remote.get(name)
        l_stamp = local_stamps.get(name, _ABSENT) if name in local else _ABSENT
        r_stamp = remote_stamps.get(name, _ABSENT) if name in remote else _ABSENT
        if name in local and name in remote and l_value == r_value:
            values[name], stamps[name] = r_value, max(l_stamp, r_stamp)
            local_survives |= l_stamp > r_stamp  # a newer stamp must reach the others too
            continue
        local_wins, stamp = _winner(l_value, l_stamp, r_value, r_stamp)
        values[name] = l_value if local_wins else r_value
        stamps[name] = stamp
        local_survives |= local_wins
        changed_here = l_stamp != base.get(name)
        changed_there = r_stamp != base.get(name) and _node(r_stamp) != my_node
        if changed_here and changed_there:
            if name == text_field and isinstance(l_value, str) and isinstance(r_value, str):
                losing_text = r_value if local_wins else l_value
            else:
                overridden.append(name)
    return Merged(
        values=values,
        stamps=stamps,
        same_as_remote=not local_survives,
        losing_text=losing_text,
        overridden=overridden,
    )
