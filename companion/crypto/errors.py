"""Typed errors of the crypto layer.

Callers catch `CryptoError` to handle "this cannot be decrypted or trusted" in one place and
the subclasses when the user needs a specific message (wrong recovery code, key changed).
Messages are plain English for developers and logs; views translate by error type.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error raised by companion.crypto."""


class MalformedError(CryptoError, ValueError):
    """Input is not in the expected shape (bad base64, wrong length, unknown version)."""


class BadKeyError(CryptoError, ValueError):
    """Key material is unusable: wrong length, unknown format or a weak public key."""


class NotARecipientError(CryptoError):
    """The record carries no wrapped key for this account: it was not shared with it."""


class TamperedError(CryptoError):
    """Ciphertext, nonce, wrap, associated data or digest do not verify."""


class InvalidRecoveryCodeError(CryptoError, ValueError):
    """The typed recovery code cannot be a code we issued (caught before any network call).

    `reason` is one of "length", "character" or "checksum", so the view can say which.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class WrongRecoveryCodeError(CryptoError):
    """A well-formed recovery code that does not open this key backup."""


class FingerprintMismatchError(CryptoError):
    """The safety number the user compared does not belong to these public keys."""
