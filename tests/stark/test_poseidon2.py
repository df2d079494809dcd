import numpy as np

from isoperp.stark import poseidon2
from isoperp.stark.field import P

# Plonky3 baby-bear/src/poseidon2.rs, test_default_babybear_poseidon2_width_16
VECTOR_IN = [
    894848333, 1437655012, 1200606629, 1690012884, 71131202, 1749206695, 1717947831,
    120589055, 19776022, 42382981, 1831865506, 724844064, 171220207, 1299207443,
    227047920, 1783754913,
]  # fmt: skip
VECTOR_OUT = [
    516096821, 90309867, 1101817252, 1660784290, 360715097, 1789519026, 1788910906,
    563338433, 319524748, 1741414159, 1650859320, 894311162, 1121347488, 1692793758,
    1052633829, 1344246938,
]  # fmt: skip


def test_plonky3_default_width16_vector() -> None:
    out = poseidon2.permute(np.array(VECTOR_IN, dtype=np.uint64))
    assert [int(v) for v in out] == VECTOR_OUT


def test_batch_matches_single() -> None:
    rng = np.random.default_rng(5)
    batch = rng.integers(0, P, (16, 7), dtype=np.uint64)
    out = poseidon2.permute(batch)
    for j in range(7):
        single = poseidon2.permute(batch[:, j].copy())
        assert np.array_equal(out[:, j], single)
    assert not np.array_equal(out, batch)


def test_internal_diagonal_matches_plonky3_description() -> None:
    # V = [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/2^27, -1/2^8, -1/16, -1/2^27]
    d = poseidon2.INTERNAL_DIAG
    assert d[0] == P - 2 and d[1] == 1 and d[2] == 2
    assert d[3] * 2 % P == 1
    assert d[12] * (1 << 27) % P == 1
    assert d[15] * (1 << 27) % P == P - 1
