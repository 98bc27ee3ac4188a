"""Cost of end-to-end encryption per record, against raw XChaCha20-Poly1305 in the same run.

Sealing (protocol v2, docs/security.md) hashes the ciphertext into the version's digest and
seals digest + content key per reader with crypto_box; opening checks one box from the
signer and the digest, then decrypts. The baseline is the bare AEAD on the same 500-byte
payload, so the ratio shows what authorship and per-reader keys cost on top of encryption
itself. v1's Ed25519 sign/verify are timed beside it: what v2 no longer pays per record.
Also times one Argon2id derivation with the default recovery parameters and what
`calibrate()` picks on this machine.

Run from the repository root: .venv/bin/python -m benchmarks.crypto [--iterations N] [--records N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable

import nacl
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.signing import SigningKey
from nacl.utils import random

from companion.crypto.envelope import Header, open_version, seal
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode, calibrate, derive
from companion_wire import new_id

PAYLOAD_SIZE = 500
SPACE_ID = new_id()
AD_LIKE = b"x" * 150  # about the size of a record's associated data


def p50_us(action: Callable[[], object], iterations: int) -> dict[str, float]:
    """Median of single calls (µs) and throughput of the whole loop (ops/s)."""
    for _ in range(min(200, iterations)):  # warm caches (Box per pair, allocator)
        action()
    samples = []
    started = time.perf_counter()
    for _ in range(iterations):
        begin = time.perf_counter_ns()
        action()
        samples.append(time.perf_counter_ns() - begin)
    total = time.perf_counter() - started
    return {
        "p50_us": round(statistics.median(samples) / 1000, 2),
        "ops_per_s": round(iterations / total),
    }


def header_for(author_id: str) -> Header:
    return Header(new_id(), SPACE_ID, "diary_entry", author_id, author_id, 1, b"", False)


def envelope_figures(recipient_count: int, iterations: int) -> dict[str, object]:
    author_id = new_id()
    author = AccountKeys.generate()
    readers = {author_id: author} | {
        new_id(): AccountKeys.generate() for _ in range(recipient_count - 1)
    }
    recipients = {rid: keys.public.x25519 for rid, keys in readers.items()}
    reader_id, reader = list(readers.items())[-1]
    payload = random(PAYLOAD_SIZE)
    header = header_for(author_id)

    def do_seal() -> object:
        return seal(payload, header, signer=author, readers=recipients)

    sealed = do_seal()

    def do_open() -> object:
        return open_version(
            header,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            wrap=sealed.wraps[reader_id],
            me=reader,
            signer_x25519=author.public.x25519,
        ).payload

    assert do_open() == payload
    return {"seal": p50_us(do_seal, iterations), "open": p50_us(do_open, iterations)}


def primitive_figures(iterations: int) -> dict[str, object]:
    key, nonce, payload = random(32), random(24), random(PAYLOAD_SIZE)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(payload, AD_LIKE, nonce, key)
    signer = SigningKey.generate()
    signature = signer.sign(payload).signature
    return {
        "xchacha20poly1305_encrypt": p50_us(
            lambda: crypto_aead_xchacha20poly1305_ietf_encrypt(payload, AD_LIKE, nonce, key),
            iterations,
        ),
        "xchacha20poly1305_decrypt": p50_us(
            lambda: crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, AD_LIKE, nonce, key),
            iterations,
        ),
        # Not baselines: what protocol v1 paid per record for authorship (sign, verify).
        "ed25519_sign_v1": p50_us(lambda: signer.sign(payload), iterations),
        "ed25519_verify_v1": p50_us(
            lambda: signer.verify_key.verify(payload, signature), iterations
        ),
    }


def bulk_open(count: int) -> dict[str, object]:
    """A new phone after recovery opening a youth's whole history: authors vary (3 people)."""
    me_id, me = new_id(), AccountKeys.generate()
    authors = {new_id(): AccountKeys.generate() for _ in range(3)}
    records = []
    for index in range(count):
        author_id, author = list(authors.items())[index % 3]
        header = header_for(author_id)
        recipients = {me_id: me.public.x25519, author_id: author.public.x25519}
        sealed = seal(random(PAYLOAD_SIZE), header, signer=author, readers=recipients)
        records.append((sealed, header, author.public.x25519))
    baseline = []  # the same number of bare AEAD decrypts, each with its own key
    for _ in range(count):
        key, nonce = random(32), random(24)
        ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(
            random(PAYLOAD_SIZE), AD_LIKE, nonce, key
        )
        baseline.append((ciphertext, nonce, key))

    started = time.perf_counter()
    for sealed, header, public in records:
        open_version(
            header,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            wrap=sealed.wraps[me_id],
            me=me,
            signer_x25519=public,
        )
    opened = time.perf_counter() - started

    started = time.perf_counter()
    for ciphertext, nonce, key in baseline:
        crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, AD_LIKE, nonce, key)
    raw = time.perf_counter() - started
    return {
        "records": count,
        "total_s": round(opened, 3),
        "records_per_s": round(count / opened),
        "raw_aead_total_s": round(raw, 4),
        "ratio_vs_raw": round(opened / raw, 1),
    }


def argon2_figures(runs: int = 5) -> dict[str, object]:
    code, params = RecoveryCode.generate(), KdfParams.create()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        derive(code, params)
        timings.append(time.perf_counter() - started)
    chosen = calibrate()
    return {
        "default_opslimit": params.opslimit,
        "default_memlimit_mib": params.memlimit // 2**20,
        "derive_p50_s": round(statistics.median(timings), 3),
        "calibrate_target_s": 0.3,
        "calibrate_chose_opslimit": chosen.opslimit,
        "calibrate_memlimit_mib": chosen.memlimit // 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()

    raw = primitive_figures(args.iterations)
    per_record = {f"{n}_recipients": envelope_figures(n, args.iterations) for n in (1, 4)}
    for figures in per_record.values():
        figures["seal_ratio_vs_raw_encrypt"] = round(
            figures["seal"]["p50_us"] / raw["xchacha20poly1305_encrypt"]["p50_us"], 1
        )
        figures["open_ratio_vs_raw_decrypt"] = round(
            figures["open"]["p50_us"] / raw["xchacha20poly1305_decrypt"]["p50_us"], 1
        )
    print(
        json.dumps(
            {
                "benchmark": "crypto",
                "payload_bytes": PAYLOAD_SIZE,
                "machine": {
                    "python": platform.python_version(),
                    "pynacl": nacl.__version__,
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "primitives_same_run": raw,
                "per_record": per_record,
                "open_many": bulk_open(args.records),
                "argon2id": argon2_figures(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
