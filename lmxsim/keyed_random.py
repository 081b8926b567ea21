"""Keyed random numbers: every draw a pure function of (seed, purpose, who, week, draw).

A counter-based generator (Philox4x32-10; Salmon, Moraes, Dror & Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3") turns a 128-bit counter and a 64-bit key into four random 32-bit
words with no state in between, so a number can be drawn for any person in any week without
drawing anyone else's first. The layout used here:

* key: a stream per (run seed, purpose) - the first two words of
  ``philox(counter=(purpose id, 0, 0, 0), key=seed)``, with the purpose id a stable 32-bit hash
  of its name (``"quit"``, ``"perception.competence"``, ...), as Starsim keeps one stream per
  decision;
* counter: ``(who mod 2**32, who div 2**32, week, draw)`` - ``who`` is a person, dyad or
  position id (up to 2**63), ``draw`` numbers several draws of one purpose in one week.

So the same person in the same week draws the same luck under every policy (common random
numbers by person), whatever else is computed in the same run, batch or process; and a run's
numbers do not depend on how runs are spread over workers. Checked against the published
Random123 known-answer vectors (``tests/test_keyed_random.py``).

This module is the first step of the keyed-random engine (issue 11); the model does not draw
from it yet. Cost, measured on this project's 2-core machine: 22 M uniforms/s at 10,000 ids and
11 M/s at 1,000,000 (numpy's own ``Generator.random``: about 370 M/s), i.e. ten rounds of numpy
array arithmetic; a compiled kernel is the planned next step before the model switches to it.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MASK32 = np.uint64(0xFFFFFFFF)
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)   # Philox4x32 multipliers
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)   # Weyl key increments (golden ratio, sqrt 3)
_ROUNDS = 10
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


def philox4x32(counter, key) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Philox4x32-10 of ``counter`` (four arrays of 32-bit words) under ``key`` (two words).

    Arrays broadcast against each other; each word must be in ``[0, 2**32)``. Returns the four
    output words as ``uint64`` arrays holding 32-bit values."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in counter)
    k0, k1 = (np.asarray(k, dtype=np.uint64) for k in key)
    for r in range(_ROUNDS):
        if r:
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0                  # 32 x 32 -> 64 bits: exact in uint64
        p1 = _M1 * c2
        c0, c1, c2, c3 = (p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & _MASK32, (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & _MASK32
    return c0, c1, c2, c3


_PURPOSES: dict[int, str] = {}


def purpose_id(purpose: str) -> int:
    """A stable 32-bit id of a purpose name (SHA-256); two names sharing an id are refused."""
    ident = int.from_bytes(hashlib.sha256(purpose.encode("utf-8")).digest()[:4], "little")
    known = _PURPOSES.setdefault(ident, purpose)
    if known != purpose:  # pragma: no cover - a 1 in 4 billion accident per pair of names
        raise ValueError(f"random-number purposes {known!r} and {purpose!r} share the id {ident}")
    return ident


def _split(value, what: str, bits: int = 64) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(value)
    if v.dtype.kind not in "iu" or (v.size and (int(v.min()) < 0 or int(v.max()) >= 2 ** bits)):
        raise ValueError(f"{what} must be whole numbers in [0, 2**{bits})")
    v = v.astype(np.uint64)
    return v & _MASK32, v >> np.uint64(32)


class KeyedStreams:
    """The random numbers of one run (``seed``): ``uniform(purpose, who, week)`` and friends.

    ``who`` is an integer array (person, dyad or position ids); the result has its shape. The
    seed may also be an array broadcasting against ``who`` (one seed per organisation of a
    batch)."""

    def __init__(self, seed):
        self.seed_words = _split(seed, "seed")
        self._keys: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def key(self, purpose: str) -> tuple[np.ndarray, np.ndarray]:
        """The stream key of ``purpose`` in this run (derived once, then cached)."""
        if purpose not in self._keys:
            pid = np.uint64(purpose_id(purpose))
            k = philox4x32((pid, 0, 0, 0), self.seed_words)
            self._keys[purpose] = (k[0], k[1])
        return self._keys[purpose]

    def words(self, purpose: str, who, week: int, draw: int = 0):
        """The four raw 32-bit words of block (who, week, draw) of ``purpose``."""
        lo, hi = _split(who, "who", 63)
        if not (0 <= int(week) < 2 ** 32 and 0 <= int(draw) < 2 ** 32):
            raise ValueError("week and draw must be whole numbers in [0, 2**32)")
        return philox4x32((lo, hi, np.uint64(week), np.uint64(draw)), self.key(purpose))

    def uniform_pair(self, purpose: str, who, week: int, draw: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Two independent uniforms in [0, 1) with 53 random bits each, from one block."""
        w0, w1, w2, w3 = self.words(purpose, who, week, draw)
        u = (((w0 << np.uint64(21)) ^ (w1 >> np.uint64(11))) & np.uint64(2 ** 53 - 1)) * _TWO_TO_MINUS_53
        v = (((w2 << np.uint64(21)) ^ (w3 >> np.uint64(11))) & np.uint64(2 ** 53 - 1)) * _TWO_TO_MINUS_53
        return u, v

    def uniform(self, purpose: str, who, week: int, draw: int = 0) -> np.ndarray:
        """A uniform number in [0, 1) for each ``who``."""
        return self.uniform_pair(purpose, who, week, draw)[0]

    def normal(self, purpose: str, who, week: int, draw: int = 0) -> np.ndarray:
        """A standard normal number for each ``who`` (Box-Muller from one block's two uniforms)."""
        u, v = self.uniform_pair(purpose, who, week, draw)
        return np.sqrt(-2.0 * np.log1p(-u)) * np.cos(2.0 * np.pi * v)
