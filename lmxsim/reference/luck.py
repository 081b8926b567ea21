"""One keyed random number at a time: how an agent of the reference draws its own luck.

The vectorised model draws its keyed random numbers in arrays, through
:class:`lmxsim.keyed_random.KeyedStreams`; an agent of the reference draws its own, one number
at a time, by the same key (run seed, purpose, who, week, draw) - the table of who draws what
is :mod:`lmxsim.draws`. :class:`KeyedLuck` is the scalar face of the same scheme, written out
as :mod:`lmxsim.keyed_random` documents it:

* the stream key of a purpose is ``KeyedStreams(seed).key(purpose)``;
* the block is Philox4x32-10 of the counter ``(who mod 2**32, who div 2**32, week, draw)``
  under that key (:func:`lmxsim.keyed_random.philox_block`);
* a uniform is the top 53 bits of words 0 and 1; a normal is the inverse normal CDF of the
  52-bit midpoint uniform of words 0 and 1 (the pair's second: of words 2 and 3); Poisson,
  binomial, Beta(2, 2) and geometric draws invert the uniform (the package's quantile
  functions).

Why not call ``KeyedStreams`` with one-element arrays: that costs 10-15 us a call (argument
checks and a kernel launch per call), several times the rest of a member's week in the
reference, so the reference's speed would measure call overhead. The few lines here are
compiled with numba (about 1 us a call, ~3 s to compile once per process; not cached on
disk, since numba's cache would not notice a change in :mod:`lmxsim.keyed_random`).
``tests/test_reference_agreement.py`` checks that every draw here equals KeyedStreams' draw
of the same key.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from lmxsim.keyed_random import (KeyedStreams, beta22_quantile, binomial_quantile, geometric_quantile,
                                 normal_quantile, philox_block, poisson_quantile)

_MASK32 = np.uint64(0xFFFFFFFF)
_S11, _S12, _S20, _S21, _S32 = (np.uint64(s) for s in (11, 12, 20, 21, 32))
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
_TWO_TO_MINUS_52 = 1.0 / 4503599627370496.0


@njit
def _block(k0, k1, who, week, draw):
    """The four words of counter (who mod 2**32, who div 2**32, week, draw) under key (k0, k1)."""
    w = np.uint64(who)
    return philox_block(w & _MASK32, w >> _S32, np.uint64(week), np.uint64(draw), np.uint64(k0), np.uint64(k1))


@njit
def _u53(a, b):
    """A uniform in [0, 1): the top 53 bits of two words."""
    return ((a << _S21) ^ (b >> _S11)) * _TWO_TO_MINUS_53


@njit
def _u52_midpoint(a, b):
    """A uniform in (0, 1): (k + 1/2) 2**-52 from 52 bits of two words."""
    return (((a << _S20) ^ (b >> _S12)) + 0.5) * _TWO_TO_MINUS_52


@njit
def _uniform(k0, k1, who, week, draw):
    a, b, _, _ = _block(k0, k1, who, week, draw)
    return _u53(a, b)


@njit
def _normal_pair(k0, k1, who, week, draw):
    a, b, c, d = _block(k0, k1, who, week, draw)
    return normal_quantile(_u52_midpoint(a, b)), normal_quantile(_u52_midpoint(c, d))


@njit
def _poisson(k0, k1, who, week, draw, lam):
    a, b, _, _ = _block(k0, k1, who, week, draw)
    return poisson_quantile(_u53(a, b), lam)


@njit
def _binomial(k0, k1, who, week, draw, n, p):
    a, b, _, _ = _block(k0, k1, who, week, draw)
    return binomial_quantile(_u53(a, b), n, p)


@njit
def _beta22(k0, k1, who, week, draw):
    a, b, _, _ = _block(k0, k1, who, week, draw)
    return beta22_quantile(_u53(a, b))


@njit
def _geometric(k0, k1, who, week, draw, p):
    a, b, _, _ = _block(k0, k1, who, week, draw)
    return geometric_quantile(_u53(a, b), p)


class KeyedLuck:
    """The keyed random numbers of one run (``seed``), one number per call.

    Each method takes ``purpose`` (a name from the table in :mod:`lmxsim.draws`), ``who`` (a
    person key, dyad key, desk slot or leader id: an int in [0, 2**63)), ``week`` and ``draw``,
    and returns what ``KeyedStreams(seed).<method>(purpose, [who], week, ..., draw)[0]`` returns."""

    def __init__(self, seed: int):
        self.streams = KeyedStreams(seed)
        self._keys: dict[str, tuple[int, int]] = {}

    def _key(self, purpose: str) -> tuple[int, int]:
        key = self._keys.get(purpose)
        if key is None:
            k0, k1 = self.streams.key(purpose)
            key = self._keys[purpose] = (int(k0[0]), int(k1[0]))
        return key

    def uniform(self, purpose: str, who: int, week: int, draw: int = 0) -> float:
        return _uniform(*self._key(purpose), who, week, draw)

    def normal(self, purpose: str, who: int, week: int, draw: int = 0) -> float:
        return _normal_pair(*self._key(purpose), who, week, draw)[0]

    def normal_pair(self, purpose: str, who: int, week: int, draw: int = 0) -> tuple[float, float]:
        return _normal_pair(*self._key(purpose), who, week, draw)

    def poisson(self, purpose: str, who: int, week: int, lam: float, draw: int = 0) -> int:
        return _poisson(*self._key(purpose), who, week, draw, float(lam))

    def binomial(self, purpose: str, who: int, week: int, n: int, p: float, draw: int = 0) -> int:
        return _binomial(*self._key(purpose), who, week, draw, int(n), float(p))

    def beta22(self, purpose: str, who: int, week: int, draw: int = 0) -> float:
        return _beta22(*self._key(purpose), who, week, draw)

    def geometric(self, purpose: str, who: int, week: int, p: float, draw: int = 0) -> int:
        return _geometric(*self._key(purpose), who, week, draw, float(p))
