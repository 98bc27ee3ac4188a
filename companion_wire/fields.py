"""Field types of the wire: base64 of a fixed or bounded size, ids, codes, names, emails.

Every binary value travels as standard base64 (with padding, no newlines); the server
treats keys, ciphertext, nonces, wraps and signatures as opaque bytes. Each type carries
its bounds into the OpenAPI schema.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from companion_wire.ids import UUID7_PATTERN
from companion_wire.limits import (
    MAX_CIPHERTEXT_BYTES,
    MAX_KEY_BACKUP_BYTES,
    MAX_NAME,
    MAX_WRAPPED_KEY_BYTES,
)

INVITATION_CODE_PATTERN = r"^[A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4}$"
ACTIVATION_CODE_PATTERN = r"^[A-Za-z0-9]{4}(?:[- ]?[A-Za-z0-9]{4}){3}$"
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # base64url of 32 random bytes, no padding
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
_B64_CHAR = "[A-Za-z0-9+/]"


def b64encode(data: bytes) -> str:
    """Encode bytes the way the wire expects (standard alphabet, padded, one line)."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode a wire base64 value; raises ValueError on anything that is not strict base64.
    (What base64.b64decode(text, validate=True) does, minus its wrapper: this runs four
    times per pulled record.)"""
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except TypeError:
        raise ValueError("base64 must be text or bytes") from None


def _b64_chars(n_bytes: int) -> int:
    return 4 * math.ceil(n_bytes / 3)


def _exact_b64_pattern(n_bytes: int) -> str:
    full, rest = divmod(n_bytes, 3)
    data_chars = full * 4 + (0, 2, 3)[rest]
    padding = ("", "==", "=")[rest]
    return f"{_B64_CHAR}{{{data_chars}}}{padding}"


def b64_exact(n_bytes: int, *, allow_empty: bool = False) -> Any:
    """A base64 string that decodes to exactly `n_bytes` bytes (or is empty, for tombstones)."""
    body = _exact_b64_pattern(n_bytes)
    pattern = f"^(?:{body})?$" if allow_empty else f"^{body}$"
    chars = _b64_chars(n_bytes)
    return Annotated[
        str,
        StringConstraints(
            min_length=0 if allow_empty else chars, max_length=chars, pattern=pattern
        ),
    ]


def b64_max(max_bytes: int, *, min_bytes: int = 0) -> Any:
    """A base64 string of at most `max_bytes` decoded bytes (bounded in the OpenAPI schema)."""
    pattern = f"^(?:{_B64_CHAR}{{4}})*(?:{_B64_CHAR}{{2}}==|{_B64_CHAR}{{3}}=)?$"
    return Annotated[
        str,
        StringConstraints(
            min_length=_b64_chars(min_bytes), max_length=_b64_chars(max_bytes), pattern=pattern
        ),
    ]


Id = Annotated[str, StringConstraints(min_length=36, max_length=36, pattern=UUID7_PATTERN)]
Key32 = b64_exact(32)
Salt16 = b64_exact(16)
Nonce24 = b64_exact(24)
Ciphertext = b64_max(MAX_CIPHERTEXT_BYTES)
WrappedKey = b64_max(MAX_WRAPPED_KEY_BYTES, min_bytes=1)
BackupCiphertext = b64_max(MAX_KEY_BACKUP_BYTES, min_bytes=1)
RecordNonce = b64_exact(24, allow_empty=True)
Signature = b64_exact(64, allow_empty=True)
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=EMAIL_PATTERN, to_lower=True, strip_whitespace=True),
]


def normalise_code(value: str) -> str:
    """Codes are read aloud and typed on phones: case, dashes and spaces do not matter."""
    return re.sub(r"[- ]", "", value).upper()


InvitationCode = Annotated[
    str, StringConstraints(pattern=INVITATION_CODE_PATTERN), AfterValidator(normalise_code)
]
ActivationCode = Annotated[
    str, StringConstraints(pattern=ACTIVATION_CODE_PATTERN), AfterValidator(normalise_code)
]


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("must not contain control characters")
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), AfterValidator(_name)]


class Wire(BaseModel):
    """Base of every wire model: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
