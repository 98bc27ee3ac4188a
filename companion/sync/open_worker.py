"""The worker process that opens a long pull's pages: `python -m companion.sync.open_worker`.

Started by `companion.sync.opening.PageOpener`, never by hand. It speaks frames on stdin and
stdout (a 4-byte length, then a pickle): first the reader's id and X25519 private key,
answered by READY and where its code lives; then pages of `SealedParts` with their
signers' X25519 keys, each answered with one outcome per record. It stops at the end of
its input (the app closed the pipe, or died). The app, running the same installed code, is
the only writer of the pipe, so its pickles are trusted (and the app checks the answers'
record ids).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from pathlib import Path
from typing import IO, Any

from nacl.public import PrivateKey
from nacl.signing import SigningKey

import companion
from companion.crypto.keys import AccountKeys
from companion.sync.payload import Notice, Opened, SealedParts, open_each

READY = "ready"
CODE_AT = str(Path(companion.__file__).resolve().parent)  # the worker must run the app's code
_LENGTH = 4

# What goes back per record: (row, field stamps, field shadow, revision, digest) for a version
# to take in, (record id, revision, digest) for a notice, or why it cannot be opened.
WorkerOutcome = (
    tuple[tuple[Any, ...], dict[str, str], str, int, bytes] | tuple[str, int, bytes] | str
)


def write_frame(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_LENGTH, "big") + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame's value; EOFError when the other side closed the pipe."""
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        raise EOFError("the pipe closed")
    size = int.from_bytes(head, "big")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the pipe closed in the middle of a frame")
    return pickle.loads(data)


def open_page(
    items: list[SealedParts], signers: dict[str, bytes], *, me_id: str, keys: AccountKeys
) -> list[WorkerOutcome]:
    """`open_each`, answered as rows: what the app writes, without the record objects."""
    opened = open_each([(p, signers[p.signer_id]) for p in items], me_id=me_id, my_keys=keys)
    return [_outcome(o) for o in opened]


def _outcome(opened: Opened | Notice | str) -> WorkerOutcome:
    if isinstance(opened, str):
        return opened
    if isinstance(opened, Notice):
        return (opened.record_id, opened.revision, opened.digest)
    return (opened.remote.row, opened.stamps, opened.taken_shadow, opened.revision, opened.digest)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the app, which stops us
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    try:
        me_id, unwrap_key = read_frame(requests)
        # Opening unwraps with the X25519 key and never signs: the signing half is a
        # throwaway, so the account's signing key never leaves the app.
        keys = AccountKeys(PrivateKey(unwrap_key), SigningKey.generate())
        write_frame(answers, (READY, CODE_AT))
        while True:
            items, signers = read_frame(requests)
            write_frame(answers, open_page(items, signers, me_id=me_id, keys=keys))
    except (EOFError, BrokenPipeError):
        return


if __name__ == "__main__":
    main()
