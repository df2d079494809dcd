"""Proof parameters (carried inside every proof) and the verifier's acceptance floor."""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_LOG_TRACE = 24
MAX_LOG_BLOWUP = 6
MAX_QUERIES = 256
MAX_GRINDING = 32
MAX_LOG_FINAL = 8


class ParamError(ValueError):
    pass


@dataclass(frozen=True)
class ProofParams:
    log_blowup: int = 3
    num_queries: int = 30
    grinding_bits: int = 10
    fri_log_arity: int = 2
    fri_log_final: int = 4  # the final FRI polynomial has at most 2**fri_log_final coefficients

    def validate(self) -> None:
        if not 1 <= self.log_blowup <= MAX_LOG_BLOWUP:
            raise ParamError("log_blowup out of range")
        if not 1 <= self.num_queries <= MAX_QUERIES:
            raise ParamError("num_queries out of range")
        if not 0 <= self.grinding_bits <= MAX_GRINDING:
            raise ParamError("grinding_bits out of range")
        if not 1 <= self.fri_log_arity <= 3:
            raise ParamError("fri_log_arity must be 1, 2 or 3")
        if not 0 <= self.fri_log_final <= MAX_LOG_FINAL:
            raise ParamError("fri_log_final out of range")
        if self.log_blowup + self.fri_log_final + 1 < self.fri_log_arity:
            raise ParamError("FRI arity too large for the blowup and final degree")

    @property
    def blowup(self) -> int:
        return 1 << self.log_blowup

    def encode(self) -> bytes:
        return struct.pack(
            "<BHBBB",
            self.log_blowup,
            self.num_queries,
            self.grinding_bits,
            self.fri_log_arity,
            self.fri_log_final,
        )

    ENCODED_LEN = 6

    @classmethod
    def decode(cls, data: bytes) -> ProofParams:
        lb, q, g, ar, fin = struct.unpack("<BHBBB", data)
        p = cls(lb, q, g, ar, fin)
        p.validate()
        return p

    def fri_layers(self, log_n: int) -> int:
        """Number of committed FRI layers (= number of folds) for degree bound 2**log_n."""
        layers = 0
        log_d = log_n
        # a fold needs whole cosets of `arity` points: the per-coset size equals the degree
        # bound, so fold only while that is at least the arity
        while log_d > self.fri_log_final and log_d >= self.fri_log_arity:
            log_d -= self.fri_log_arity
            layers += 1
        return layers

    def final_log_degree(self, log_n: int) -> int:
        return max(0, log_n - self.fri_layers(log_n) * self.fri_log_arity)


DEFAULT_PARAMS = ProofParams()


@dataclass(frozen=True)
class Floor:
    """What the verifier demands of a proof's parameters before it looks further."""

    min_conjectured_bits: int = 96
    min_queries: int = 1
    min_grinding_bits: int = 0
