"""Field types of the wire: base64 of a fixed or bounded size, ids, codes, names, emails.

Every binary value travels as standard base64 (with padding, no newlines); the server
treats keys, ciphertext, nonces, digests and wraps as opaque bytes. Each type carries
its bounds into the OpenAPI schema.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

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
Digest = b64_exact(32, allow_empty=True)
Sha256 = b64_exact(32)  # a file's ciphertext hash
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


# Names are shown to other people: nothing that reorders or hides text around them (bidi
# controls, line and paragraph separators, a byte-order mark, C0/C1 controls), and at least
# one visible character (not only spaces and zero-width ones). One pattern says both, so the
# OpenAPI schema states exactly what the server checks.
_NAME_FORBIDDEN = r"\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_NAME_INVISIBLE = (
    r" \u00a0\u00ad\u034f\u115f\u1160\u1680\u180e\u2000-\u200d\u202f\u205f\u2060-\u2064"
    r"\u3000\u3164\ufe00-\ufe0f\uffa0"
)
NAME_PATTERN = f"^[^{_NAME_FORBIDDEN}]*[^{_NAME_FORBIDDEN}{_NAME_INVISIBLE}][^{_NAME_FORBIDDEN}]*$"


def _strip(value: str) -> str:
    return value.strip()


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME, pattern=NAME_PATTERN),
    AfterValidator(_strip),
    Field(
        description="Shown to others: no control, bidi or line-separator characters, no "
        "byte-order mark, at least one visible character; surrounding spaces are dropped."
    ),
]


def _not_a_number(value: object) -> object:
    """A time on the wire is an RFC 3339 string: a number would be read as Unix time."""
    if isinstance(value, int | float):
        raise ValueError("a time is an RFC 3339 date-time string, not a number")
    return value


def _fits_utc(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range once converted to UTC (years 1 to 9999)") from None
    return value


WireTime = Annotated[
    AwareDatetime,
    BeforeValidator(_not_a_number),
    AfterValidator(_fits_utc),
    Field(description="RFC 3339 with an offset; must stay within years 1-9999 in UTC."),
]


class Wire(BaseModel):
    """Base of every wire model: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
