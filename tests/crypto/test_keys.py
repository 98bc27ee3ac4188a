"""Account keys: generated per account, stored in the vault and the backup as bytes."""

from __future__ import annotations

import json

import pytest

import companion_wire as protocol
from companion.crypto.envelope import Header, open_version, seal
from companion.crypto.errors import BadKeyError, MalformedError
from companion.crypto.keys import AccountKeys, PublicKeys, decode_b64, encode_b64


def test_every_account_gets_its_own_key_pairs():
    first, second = AccountKeys.generate(), AccountKeys.generate()
    assert first != second
    assert first.public.x25519 != second.public.x25519
    assert first.public.ed25519 != second.public.ed25519
    assert len(first.public.x25519) == len(first.public.ed25519) == 32


def test_serialised_keys_come_back_identical_and_still_work():
    keys = AccountKeys.generate()
    restored = AccountKeys.from_bytes(keys.to_bytes())

    assert restored == keys
    assert restored.public == keys.public
    header = Header("r", "s", "message", "a", "a", 1, b"", False)
    sealed = seal(b"hello", header, signer=keys, readers={"a": keys.public.x25519})
    opened = open_version(
        header,
        nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
        wrap=sealed.wraps["a"],
        me=restored,
        signer_x25519=keys.public.x25519,
    ).payload
    assert opened == b"hello"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda blob: b"XXXX" + blob[4:],  # not our format
        lambda blob: blob[:4] + b"\x02" + blob[5:],  # a version this code does not know
        lambda blob: blob[:-1],  # truncated
        lambda blob: blob + b"\x00",  # trailing bytes
        lambda blob: blob[:4],  # header only
    ],
)
def test_damaged_key_blobs_are_refused(mangle):
    with pytest.raises(BadKeyError):
        AccountKeys.from_bytes(mangle(AccountKeys.generate().to_bytes()))


def test_private_keys_never_show_up_in_repr():
    keys = AccountKeys.generate()
    text = repr(keys)
    assert bytes(keys.encryption).hex() not in text
    assert bytes(keys.signing).hex()[:16] not in text


def test_public_keys_round_trip_through_json():
    public = AccountKeys.generate().public
    wire = json.loads(json.dumps(public.to_wire()))
    assert PublicKeys.from_wire(wire) == public
    served = protocol.PublicKeys.model_validate(wire)  # what the server stores and serves
    assert PublicKeys.from_wire(served.model_dump()) == public


@pytest.mark.parametrize(
    "wire",
    [
        {"x25519": "AAAA", "ed25519": "AAAA"},
        {"x25519": encode_b64(bytes(32))},
        {"x25519": encode_b64(bytes(32)), "ed25519": "@@not base64@@"},
        {"x25519": 12, "ed25519": encode_b64(bytes(32))},
    ],
)
def test_malformed_public_keys_from_the_wire_are_refused(wire):
    with pytest.raises(MalformedError):
        PublicKeys.from_wire(wire)


def test_public_keys_of_the_wrong_size_are_refused():
    with pytest.raises(BadKeyError, match="x25519"):
        PublicKeys(x25519=b"\x01" * 31, ed25519=b"\x01" * 32)


def test_base64_is_standard_strict_and_single_line():
    data = bytes(range(256)) * 4
    text = encode_b64(data)
    assert "\n" not in text
    assert decode_b64(text, field="f") == data
    with pytest.raises(MalformedError):
        decode_b64(text[:76] + "\n" + text[76:], field="f")
    with pytest.raises(MalformedError):
        decode_b64("YWJj-_==", field="f")  # URL-safe alphabet is not the contract
    with pytest.raises(MalformedError, match="f must decode to 4 bytes"):
        decode_b64("YWJj", field="f", size=4)
