"""Counter-based random numbers for many patients at once: Philox4x32-10 in numpy.

Philox (Salmon, Moraes, Dror, Shaw, SC'11, doi:10.1145/2063384.2063405) maps a 128-bit counter and a 64-bit key
to 128 random bits by ten rounds of multiply-high/low and xor. A patient's numbers are a pure function of (seed,
patient index, purpose, position), so any chunking or executor draws the same ones, and a whole population is
drawn with a few array operations. numpy's generators need one object per stream: 42 us per patient for 30
normals here, against about 5 us with this (0.16 us per number). Checked against the Random123 known-answer
vectors (``tests/test_sampling.py``).
"""

from __future__ import annotations

from hashlib import blake2b

import numpy as np
from scipy.special import ndtri

MASK32 = np.uint64(0xFFFFFFFF)
MULTIPLIERS = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
KEY_INCREMENTS = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
ROUNDS = 10


def philox4x32(counter: tuple[np.ndarray, ...], key: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """The four 32-bit output words (uint64 arrays) for four counter words (broadcastable arrays) and a key."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in counter)
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(ROUNDS):
        if r:
            k0, k1 = (k0 + KEY_INCREMENTS[0]) & MASK32, (k1 + KEY_INCREMENTS[1]) & MASK32
        p0, p1 = MULTIPLIERS[0] * c0, MULTIPLIERS[1] * c2  # exact: both factors are below 2^32
        c0, c1, c2, c3 = (p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & MASK32, (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & MASK32
    return c0, c1, c2, c3


def uniforms(indices: np.ndarray, seed: int, purpose: int, k: int) -> np.ndarray:
    """``(n, k)`` uniforms in the open interval (0, 1), row ``j`` from patient ``indices[j]``'s stream.

    52 random bits each (26 from each of two words); counter (block, index low word, index high word, purpose),
    key (seed low word, seed high word); each block gives two numbers.
    """
    index = np.asarray(indices, dtype=np.uint64)[:, None]
    block = np.arange((k + 1) // 2, dtype=np.uint64)[None, :]
    words = philox4x32(
        (block, index & MASK32, index >> np.uint64(32), np.uint64(purpose)), (seed & 0xFFFFFFFF, seed >> 32)
    )
    six = np.uint64(6)
    pairs = [((words[a] >> six) << np.uint64(26)) | (words[a + 1] >> six) for a in (0, 2)]
    bits = np.stack(pairs, axis=-1).reshape(len(index), 2 * block.shape[1])[:, :k]
    return (bits.astype(np.float64) + 0.5) / 2.0**52  # exact: (0.5 .. 2^52 - 0.5) / 2^52


def normals(indices: np.ndarray, seed: int, purpose: int, k: int) -> np.ndarray:
    """``(n, k)`` standard normals (inverse normal distribution function of :func:`uniforms`)."""
    return ndtri(uniforms(indices, seed, purpose, k))


def stream(name: str) -> int:
    """The 32-bit purpose word of the stream called ``name`` (its BLAKE2b digest): a patient's draws for one
    parameter, covariate or noise channel depend on that name only, not on what else the model declares."""
    return int.from_bytes(blake2b(name.encode(), digest_size=4).digest(), "little")
