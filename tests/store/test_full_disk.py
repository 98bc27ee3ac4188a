"""A store closed on a full disk reopens with everything it committed.

Closing checkpoints the -wal into the main file. On a full disk that stops half-way: pages
are overwritten in place but the file cannot grow, so page 1 then counts pages only the -wal
holds, and the main file alone looks damaged. Found by hand (a 2 MiB tmpfs, 620 entries,
reported as CorruptDatabaseError at the next open, also after copying to a roomy disk).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.store import DiskFullError, Store, WrongKeyError
from companion_wire import new_id
from tests.store.store_samples import KEY, OTHER_KEY, digests, entry, run_and_crash
from tests.store.wal_samples import stop_checkpoint_after, wal_path

WORDS = " ".join(["lang verhaal over de huur, de stage en het OCMW"] * 10)


def _crash_after_writing(path: Path, space: str, count: int) -> None:
    run_and_crash(
        path,
        KEY,
        f"""
        from tests.store.store_samples import entry
        for i in range({count}):
            store.diary.create(entry(f"Nieuw {{i}} " + {WORDS!r}, {space!r}))
        """,
    )


def _texts(store: Store, space: str) -> list[str]:
    return sorted(e.text for e in store.diary.list(space_id=space, limit=1000))


@pytest.mark.parametrize("checkpointed_before", [True, False], ids=["used-store", "new-store"])
def test_a_checkpoint_stopped_by_a_full_disk_loses_nothing(
    db_path: Path, tmp_path: Path, checkpointed_before: bool
) -> None:
    space = new_id()
    old = [f"Oud {i} " + WORDS for i in range(30)] if checkpointed_before else []
    if old:
        with Store.open(db_path, KEY) as store:  # closed cleanly: all of it in the main file
            store.diary.create_many([entry(text, space) for text in old])
    _crash_after_writing(db_path, space, 60)  # committed, but only in the -wal
    kept_pages = db_path.stat().st_size // 2048 if old else 2  # room left for 2 new pages
    stop_checkpoint_after(db_path, kept_pages)
    before = digests(tmp_path)

    with pytest.raises(WrongKeyError):  # a wrong key still changes nothing
        Store.open(db_path, OTHER_KEY)
    assert digests(tmp_path) == before

    with Store.open(db_path, KEY) as store:
        assert _texts(store, space) == sorted(old + [f"Nieuw {i} " + WORDS for i in range(60)])
        assert len(store.diary.search("OCMW", space_id=space, limit=1000)) == len(old) + 60
    with Store.open(db_path, KEY) as store:  # the clean close above finished the checkpoint
        store.check_integrity()
    assert not wal_path(db_path).exists()


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the real full-disk test")
    pytest.skip(reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB filesystem (tmpfs), unmounted afterwards."""
    if os.geteuid() != 0:
        _fail_or_skip("mounting a 2 MiB tmpfs needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        _fail_or_skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_store_filled_until_the_disk_is_full_reopens_with_every_entry(
    small_disk: Path, tmp_path: Path
) -> None:
    path = small_disk / "companion.db"
    space = new_id()
    saved: list[str] = []
    with Store.open(path, KEY) as store, pytest.raises(DiskFullError):
        while True:
            saved.append(store.diary.create(entry(f"Dag {len(saved)} " + WORDS, space)).text)
    assert len(saved) > 20
    assert wal_path(path).stat().st_size > 0  # the close could not checkpoint

    with Store.open(path, KEY) as store:  # on the still-full disk
        assert _texts(store, space) == sorted(saved)

    roomy = tmp_path / "roomy"
    roomy.mkdir()
    for name in (path.name, wal_path(path).name):  # a copy of the files, as a user would make
        shutil.copy2(small_disk / name, roomy / name)
    with Store.open(roomy / path.name, KEY) as store:
        assert _texts(store, space) == sorted(saved)
        assert len(store.diary.search("OCMW", space_id=space, limit=1000)) == len(saved)
        store.check_integrity()
