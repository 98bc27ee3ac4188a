"""Limits of the wire contract: the server enforces them, clients split their work to fit.

The record limits that concern content (a title's length, a message's) live with the domain
models in the app: the server never sees content. These are the ones it can check.
"""

from __future__ import annotations

API_PREFIX = "/v1"

MAX_BODY_BYTES = 2 * 1024 * 1024  # whole request body -> 413
MAX_BATCH = 500  # mutations per push -> 422
MAX_CIPHERTEXT_BYTES = 256 * 1024  # per record (rounded up to a whole base64 quantum) -> 422
MAX_SHARES = 50  # people one record is shared with
MAX_WRAPS = MAX_SHARES + 1  # the youth + everyone in shared_with (the author is one of them)
MAX_AUDIENCE = 2 * MAX_WRAPS  # readers plus those told they may no longer read it
MAX_WRAPPED_KEY_BYTES = 256  # a wrap is 104 bytes, a notice 72
MAX_KEY_BACKUP_BYTES = 4096
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 200
MAX_ACCESS_LOG_LIMIT = 500
MAX_NAME = 80
MAX_SLOTS = 42
MAX_INT64 = 2**63 - 1

# Files (photos, PDFs, papers): sealed on the device in chunks (companion/crypto/blobs.py),
# stored by the server as opaque blobs. Sizes are of the ciphertext the server holds.
BLOB_CHUNK_BYTES = 256 * 1024  # plaintext per chunk
BLOB_TAG_BYTES = 16  # what sealing adds to each chunk
BLOB_SEALED_CHUNK_BYTES = BLOB_CHUNK_BYTES + BLOB_TAG_BYTES
MAX_BLOB_BYTES = 25 * 1024 * 1024  # ciphertext of one file -> 413 `blob_too_large`
# chunks one upload or download request carries back to back: 4 MiB and their tags (fewer
# requests, faster transfers; a phone on a poor network sends shorter runs)
MAX_BLOB_RUN = 16
MAX_BLOB_BODY_BYTES = MAX_BLOB_RUN * BLOB_SEALED_CHUNK_BYTES  # a chunk upload's body -> 413
