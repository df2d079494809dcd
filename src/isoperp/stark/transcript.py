"""Fiat-Shamir transcript: a BLAKE3 hash chain with labelled, length-prefixed absorption.

Challenges come from BLAKE3's extendable output keyed on the current state; every squeeze
also ratchets the state, so no challenge is ever reused.  Extension-field challenges are drawn
by rejection sampling (31-bit words, rejected if >= p) and query positions by masking
(the domain is a power of two), so neither has modulo bias.
"""

from __future__ import annotations

import struct

import blake3
import numpy as np

from .field import Arr, P


def _frame(label: bytes, data: bytes) -> bytes:
    return struct.pack("<I", len(label)) + label + struct.pack("<Q", len(data)) + data


class Transcript:
    def __init__(self, domain_tag: bytes) -> None:
        self.state = blake3.blake3(_frame(b"domain", domain_tag)).digest()

    def absorb(self, label: bytes, data: bytes) -> None:
        self.state = blake3.blake3(self.state + _frame(label, data)).digest()

    def _squeeze(self, label: bytes, nbytes: int) -> bytes:
        out = blake3.blake3(self.state + _frame(b"squeeze", label)).digest(length=nbytes)
        self.state = blake3.blake3(self.state + _frame(b"ratchet", label)).digest()
        return out

    def challenge_ext(self, label: bytes) -> Arr:
        """A uniformly random element of the quartic extension."""
        counter = 0
        while True:
            words = np.frombuffer(
                self._squeeze(label + struct.pack("<I", counter), 128), dtype="<u4"
            ) & np.uint32(0x7FFFFFFF)
            ok = words[words < P]
            if ok.size >= 4:
                return ok[:4].astype(np.uint64)
            counter += 1  # pragma: no cover - probability ~2^-200

    def challenge_ext_many(self, label: bytes, count: int) -> Arr:
        """``count`` independent uniform extension elements, shape (count, 4)."""
        need = 4 * count
        got: list[Arr] = []
        have = 0
        counter = 0
        while have < need:
            nbytes = 4 * (need - have + (need - have) // 8 + 16)
            raw = self._squeeze(label + struct.pack("<I", counter), nbytes)
            words = np.frombuffer(raw, dtype="<u4") & np.uint32(0x7FFFFFFF)
            ok = words[words < P].astype(np.uint64)
            got.append(ok)
            have += ok.size
            counter += 1
        return np.concatenate(got)[:need].reshape(count, 4)

    def challenge_indices(self, label: bytes, count: int, log_domain: int) -> list[int]:
        words = np.frombuffer(self._squeeze(label, 4 * count), dtype="<u4")
        mask = (1 << log_domain) - 1
        return [int(w) & mask for w in words]

    # ------------------------------------------------------------ proof of work

    def _pow_prefix(self) -> bytes:
        return self.state + _frame(b"pow", b"")

    def grind(self, bits: int) -> int:
        """Find the least nonce whose PoW digest has ``bits`` leading zero bits."""
        base = blake3.blake3(self._pow_prefix())
        limit = 1 << (64 - bits)
        nonce = 0
        while True:
            h = base.copy()
            h.update(struct.pack("<Q", nonce))
            if int.from_bytes(h.digest(length=8), "big") < limit:
                return nonce
            nonce += 1

    def check_pow(self, bits: int, nonce: int) -> bool:
        if not 0 <= bits <= 64 or not 0 <= nonce < 1 << 64:
            return False
        digest = blake3.blake3(self._pow_prefix() + struct.pack("<Q", nonce)).digest(length=8)
        return int.from_bytes(digest, "big") < (1 << (64 - bits))
