"""Files in the sync cycle: a blob goes up before the attachment record that refers to it.

Attaching a file (companion/core/files.py) seals it into this device's blob cache (sealed
bytes only: the key lives in the attachment record, inside the encrypted store) and writes
the attachment record with the blob marked pending, in one transaction. Each sync cycle
first uploads the pending blobs (`upload_pending`, resuming what the server already holds)
and only then lets the pusher send their records: until its blob is complete on the server,
an attachment record stays in the outbox (`held`), so nobody is ever told of a file they
cannot fetch. A photo taken offline therefore goes out with the first cycle that reaches
the server; one whose upload fails for want of a network waits for the next cycle, while
the rest of this cycle goes on. A blob the server refuses (over the limit, past the quota)
stays held with the reason (`problems`), for the app to say so.

Opening (`fetch`) reads the sealed copy on this device when there is one, else downloads;
either way the plaintext appears at the target only when every chunk opened and the
ciphertext hash matched (crypto/blobs.py).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from companion.crypto.blobs import BlobKey, open_chunks, split_sealed
from companion.domain.files import Attachment
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.blobs import TransferPolicy, download, upload
from companion.sync.errors import OfflineError, RefusedError

PENDING_BLOBS = "pending_blobs"  # meta: {blob id: {"space_id": ..., "problem": ...}}


def blob_key(attachment: Attachment) -> BlobKey:
    return BlobKey.from_fields(
        {
            "blob_id": attachment.id,
            "key": attachment.key,
            "size": attachment.size,
            "sha256": attachment.sha256,
        }
    )


class BlobCache:
    """This device's sealed files, one per blob: `<root>/<blob id>.sealed`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sealed(self, blob_id: str) -> Path:
        return self.root / f"{blob_id}.sealed"

    def has(self, blob_id: str) -> bool:
        return self.sealed(blob_id).is_file()


class FileTransfers:
    def __init__(
        self, store: Store, api: ApiClient, cache: BlobCache, policy: TransferPolicy | None = None
    ) -> None:
        self.store = store
        self.api = api
        self.cache = cache
        self.policy = policy or TransferPolicy()

    # --- what waits ------------------------------------------------------------------------

    def pending(self) -> dict[str, dict[str, str]]:
        stored = self.store.meta.get(PENDING_BLOBS)
        return json.loads(stored) if stored else {}

    def held(self) -> frozenset[str]:
        """Attachment records that must not be pushed yet: their blob is not up."""
        return frozenset(self.pending())

    def problems(self) -> dict[str, str]:
        return {
            blob: entry["problem"] for blob, entry in self.pending().items() if "problem" in entry
        }

    def mark_pending(self, blob_id: str, space_id: str) -> None:
        """Call inside the transaction that writes the attachment record."""
        waiting = self.pending()
        waiting[blob_id] = {"space_id": space_id}
        self.store.meta.set(PENDING_BLOBS, json.dumps(waiting))

    def _settle(self, blob_id: str, problem: str | None) -> None:
        with self.store.transaction():
            waiting = self.pending()
            if blob_id not in waiting:
                return
            if problem is None:
                del waiting[blob_id]
            else:
                waiting[blob_id]["problem"] = problem
            self.store.meta.set(PENDING_BLOBS, json.dumps(waiting))

    # --- up and down -----------------------------------------------------------------------

    async def upload_pending(self) -> int:
        """Upload every pending blob; returns how many went up. A refusal is kept as the
        blob's problem. When the network fails (after the policy's attempts) the rest waits
        for the next cycle and this one goes on: a large file on a poor connection must not
        hold back the chat (if the server is unreachable, the push fails anyway)."""
        sent = 0
        for blob_id, entry in (await asyncio.to_thread(self.pending)).items():
            record = await asyncio.to_thread(self.store.record, blob_id)
            if not isinstance(record, Attachment) or record.deleted:
                await asyncio.to_thread(self._settle, blob_id, None)  # nothing to send
                continue
            try:
                await upload(
                    self.api,
                    entry["space_id"],
                    blob_key(record),
                    self.cache.sealed(blob_id),
                    self.policy,
                )
            except RefusedError as refused:
                await asyncio.to_thread(self._settle, blob_id, refused.detail)
                continue
            except OfflineError:
                return sent
            await asyncio.to_thread(self._settle, blob_id, None)
            sent += 1
        return sent

    async def fetch(self, attachment: Attachment, target: Path) -> Path:
        """The file of `attachment` opened at `target` (from this device's sealed copy when
        it has one, else from the server)."""
        key = blob_key(attachment)
        if self.cache.has(attachment.id):

            def from_cache() -> None:
                sealed = self.cache.sealed(attachment.id).read_bytes()
                open_chunks(key, split_sealed(key, sealed), target)

            await asyncio.to_thread(from_cache)
        else:
            await download(self.api, key, target, self.policy)
        return target
