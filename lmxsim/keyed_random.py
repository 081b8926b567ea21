"""Keyed random numbers: every draw a pure function of (seed, purpose, who, week, draw).

The engine of issue 11 draws every random number by its key, not from a stream consumed in
order, so a person's luck does not depend on what else is drawn, in which order, with which
policy, in which batch or on which worker. The model draws every number through it (the table of draws: :mod:`lmxsim.draws`).

Scheme
------
A counter-based generator, Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3"), turns a 128-bit counter and a 64-bit key into one *block* of
four random 32-bit words with no state in between:

* key: one stream per (organisation seed, purpose) - the first two words of
  ``philox(counter=(purpose id, 0, 0, 0), key=seed)``, the purpose id being a stable 32-bit
  hash of its name (``"quit"``, ``"perception"``, ``"ideas"``, ...), as Starsim keeps one
  stream per decision. Purposes are free-form names; two names sharing an id are refused.
* counter: ``(who mod 2**32, who div 2**32, week, draw)``. ``who`` (in ``[0, 2**63)``) says
  whose number it is; the engine's layout will be ``who = (position << 32) | occupant serial``
  for people (the same desk's next occupant draws other numbers), the team id for leaders and
  the position for desks. ``week`` is in ``[0, 2**32)``; ``draw`` (in ``[0, 2**32)``, default 0)
  numbers several draws of one purpose by one person in one week.

Every distribution below is a function of that one block alone, by inversion where there is
an inverse: each draw is then monotone in its parameter for the same luck (a larger rate never
gives fewer ideas), which keeps common random numbers common when policies change the rates,
up to rounding at the CDF's steps (about 1e-16 of the time). Hence drawing for a subset of ``who`` gives the
same numbers as drawing for everyone and selecting, a batch of organisations gives each
exactly what it draws alone, and one key is one piece of luck: ``uniform``, ``poisson``,
``bernoulli``, ... of the same (purpose, who, week, draw) all read the same uniform ``u``.
Two decisions that must be independent take two purposes or two draw indices.

========================  ================================================================
``uniform``               ``u`` in [0, 1) with 53 random bits (words 0, 1); ``uniform_pair``
                          adds a second from words 2, 3
``normal``                inverse normal CDF (Wichura 1988, AS 241, relative error ~1e-16)
                          of the 52-bit midpoint uniform of words 0, 1; ``normal_pair`` adds
                          a second from words 2, 3. Values lie within about +-8.2. (Box-Muller,
                          used at first, costs 2.4 times as much here and is not monotone.)
``poisson(lam)``          inversion of ``u``: smallest k with u < F(k); lam in [0, 700]
``binomial(n, p)``        inversion of ``u`` (of 1 - u on n - X for p > 1/2); n in [0, 1000]
``beta22``                Beta(2, 2) by its closed-form inverse CDF
                          ``1/2 + cos((arccos(1 - 2u) - 2 pi) / 3)``
``geometric(p)``          trials to the first success, on {1, 2, ...} as numpy's:
                          ``1 + floor(log(1 - u) / log(1 - p))``; p in [1e-15, 1]
``integers(high)``        ``floor(x * high / 2**64)`` of the block's first 64 bits x: in
                          [0, high), high in [1, 2**32], bias below high / 2**64
``bernoulli(p)``          ``u < p`` (exact at p = 0 and p = 1)
========================  ================================================================

Poisson inversion starts from ``exp(-lam)``, which must be a normal double (lam < 708), and
costs about lam + 1 steps, so lam above 700 is refused; the model's largest rate is 5 ideas per
member-week (``idea_rate`` <= 5 times creativity and autonomy factors <= 1). Binomial inversion
starts from ``(1 - q)**n`` with q = min(p, 1 - p) <= 1/2, at least ``2**-1000`` for n <= 1000.
Bad input (negative or too large ``who``, a ``week`` outside 32 bits, lam < 0, p outside [0, 1],
a seed outside 64 bits, ...) raises :class:`lmxsim.errors.LMXInputError` naming an offending
element, its value and what is allowed, in one line; NaN is refused too.

Speed and reproducibility
-------------------------
The blocks and distributions are computed element by element in numba kernels
(``@njit(cache=True)``, one core, no ``fastmath``): about 6 ns per uniform and 20 ns per normal
on this project's machine. Philox in numpy array arithmetic (:func:`philox4x32`, kept as the
readable, known-answer-tested reference the kernel is tested against) is 9 to 19 times slower.
Figures are in ``docs/performance.md`` ("Keyed random numbers"; ``python
benchmarks/bench_keyed.py``). The compiled kernels are cached on disk next to this file,
or, where the package directory is read-only, in numba's user-wide cache
(``~/.cache/numba``; ``NUMBA_CACHE_DIR`` chooses another place).

Integer results (the Philox words, uniforms, ``integers``, ``bernoulli``) are bit-identical on
every machine. Normal, Poisson, binomial, Beta and geometric draws go through libm (``log``,
``exp``, ``cos``, ``arccos``), which may differ in the last bit between platforms: a normal may
differ by an ulp, and a count only when ``u`` falls within about 1e-16 of a CDF step.
"""

from __future__ import annotations

import hashlib
import math
import operator
import warnings

import numpy as np
from numba import njit

from lmxsim.errors import LMXInputError

_MASK32 = np.uint64(0xFFFFFFFF)
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)   # Philox4x32 multipliers
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)   # Weyl key increments (golden ratio, sqrt 3)
_ROUNDS = 10
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
_TWO_TO_MINUS_52 = 1.0 / 4503599627370496.0

POISSON_MAX_LAM = 700.0    # exp(-lam) stays a normal double (lam < 708); cost ~ lam + 1 steps
BINOMIAL_MAX_N = 1000      # (1 - q)**n >= 2**-1000 for q <= 1/2: a normal double
GEOMETRIC_MIN_P = 1e-15    # the count (up to 37 / p) stays far inside int64
INTEGERS_MAX_HIGH = 2**32  # x * high fits the 64-bit arithmetic of integers()


# ----------------------------------------------------------------------------------------------
# The reference: Philox4x32-10 in numpy array arithmetic (readable; checked against Random123)

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


# ----------------------------------------------------------------------------------------------
# The compiled block and the distributions, each a pure function of one block.
# numba types mixed uint64/int64 arithmetic as float64: every integer constant here is uint64.

_S11, _S12, _S20, _S21, _S32 = (np.uint64(s) for s in (11, 12, 20, 21, 32))
_UNCACHED = []


def _compiled(compiler=njit, **options):
    """``numba.njit`` (or ``compiler``, e.g. ``numba.vectorize``) with the on-disk cache, or without
    it where no cache directory is writable (numba refuses ``cache=True`` then): every process
    compiles the kernels again, and says so."""
    def decorate(function):
        try:
            return compiler(cache=True, **options)(function)
        except RuntimeError as exc:
            if "no locator available" not in str(exc):
                raise
            if not _UNCACHED:
                warnings.warn("lmxsim: no writable directory for numba's cache (the package's "
                              "__pycache__, ~/.cache/numba); its kernels compile in every process (seconds). "
                              "Set NUMBA_CACHE_DIR to a writable directory.", RuntimeWarning, stacklevel=3)
            _UNCACHED.append(function.__name__)
            return compiler(**options)(function)
    return decorate


@_compiled(inline="always")
def philox_block(c0, c1, c2, c3, k0, k1):
    """Compiled Philox4x32-10 of one counter (four uint64 holding 32-bit words) under one key.

    Bit-identical to :func:`philox4x32` (tested)."""
    for r in range(_ROUNDS):
        if r:
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (p1 >> _S32) ^ c1 ^ k0, p1 & _MASK32, (p0 >> _S32) ^ c3 ^ k1, p0 & _MASK32
    return c0, c1, c2, c3


@_compiled(inline="always")
def _block(who, week, draw, k0, k1):
    """The block of counter (who mod 2**32, who div 2**32, week, draw) under key (k0, k1)."""
    w = np.uint64(who)
    return philox_block(w & _MASK32, w >> _S32, np.uint64(week), np.uint64(draw), k0, k1)


@_compiled(inline="always")
def _u53(a, b):
    """A uniform in [0, 1) from the top 53 bits of two words (a multiple of 2**-53)."""
    return ((a << _S21) ^ (b >> _S11)) * _TWO_TO_MINUS_53


@_compiled(inline="always")
def _u52_midpoint(a, b):
    """A uniform in (0, 1) from 52 bits: (k + 1/2) 2**-52, exact, and 1 - u is exact too."""
    return (((a << _S20) ^ (b >> _S12)) + 0.5) * _TWO_TO_MINUS_52


# Wichura (1988), Algorithm AS 241 (PPND16): rational approximations of the normal quantile.
_AS241_A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
            4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3)
_AS241_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
            2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3)
_AS241_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
            1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2,
            7.74545014278341407640e-4)
_AS241_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
            1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
            1.05075007164441684324e-9)
_AS241_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
            2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5,
            2.01033439929228813265e-7)
_AS241_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
            7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
            2.04426310338993978564e-15)


@_compiled(inline="always")
def _polynomial(c, x):
    """c[0] + c[1] x + ... + c[7] x**7 (Horner)."""
    return c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * (c[4] + x * (c[5] + x * (c[6] + x * c[7]))))))


@_compiled(inline="always")
def normal_quantile(u):
    """The standard normal quantile of ``u`` in (0, 1) (AS 241: relative error about 1e-16)."""
    q = u - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _polynomial(_AS241_A, r) / _polynomial(_AS241_B, r)
    r = math.sqrt(-math.log(u if q < 0.0 else 1.0 - u))
    if r <= 5.0:
        z = _polynomial(_AS241_C, r - 1.6) / _polynomial(_AS241_D, r - 1.6)
    else:
        z = _polynomial(_AS241_E, r - 5.0) / _polynomial(_AS241_F, r - 5.0)
    return -z if q < 0.0 else z


@_compiled(inline="always")
def poisson_quantile(u, lam):
    """Smallest k with u < P(X <= k), X ~ Poisson(lam), lam in [0, 700]: a search up from 0."""
    pmf = math.exp(-lam)
    cdf = pmf
    k = 0
    while u >= cdf:
        k += 1
        pmf *= lam / k
        if cdf + pmf == cdf:   # the rest of the tail is below rounding: u fell into it
            break
        cdf += pmf
    return k


@_compiled(inline="always")
def _binomial_search(u, n, q):
    """Smallest k with u < P(X <= k), X ~ Binomial(n, q), q <= 1/2 (capped at n)."""
    pmf = (1.0 - q) ** n
    cdf = pmf
    odds = q / (1.0 - q)
    k = 0
    while u >= cdf and k < n:
        pmf *= odds * (n - k) / (k + 1)
        k += 1
        cdf += pmf
    return k


@_compiled(inline="always")
def binomial_quantile(u, n, p):
    """The Binomial(n, p) quantile of ``u``; for p > 1/2 searched from the other end (n - X)."""
    if n == 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    if p > 0.5:
        return n - _binomial_search(1.0 - u, n, 1.0 - p)
    return _binomial_search(u, n, p)


@_compiled(inline="always")
def beta22_quantile(u):
    """The Beta(2, 2) quantile: the root in [0, 1] of 3x**2 - 2x**3 = u."""
    return 0.5 + math.cos((math.acos(1.0 - 2.0 * u) - 2.0 * math.pi) / 3.0)


@_compiled(inline="always")
def geometric_quantile(u, p):
    """Trials to the first success (on 1, 2, ...): P(X > k) = (1 - p)**k. 1 - u is exact."""
    return 1 + int(math.floor(math.log(1.0 - u) / math.log1p(-p)))


@_compiled(inline="always")
def _below(a, b, high):
    """floor(x high / 2**64) of the 64-bit x = (a, b), exact for high <= 2**32: in [0, high)."""
    return (a * high + ((b * high) >> _S32)) >> _S32


# ----------------------------------------------------------------------------------------------
# Kernels: one per distribution. Elements go in chunks of _CHUNK: first each element's key is
# looked up by its organisation (and who and org checked), then the chunk's blocks are computed
# in a loop without branches (vector instructions), then the distribution reads them.

_CHUNK = 512


@_compiled()
def _buffers():
    """Scratch for one chunk: its keys (2 rows) and its blocks (4 rows of 32-bit words)."""
    return np.empty((2, _CHUNK), dtype=np.uint64), np.empty((4, _CHUNK), dtype=np.uint64)


@_compiled()
def _blocks(keys0, keys1, org, who, week, draw, start, stop, key, words):
    """The blocks of elements start..stop into ``words``; the first bad who or org index, else -1."""
    for i in range(start, stop):
        o = org[i] if org.size else 0
        if who[i] < 0 or o < 0 or o >= keys0.size:
            return i
        key[0, i - start] = keys0[o]
        key[1, i - start] = keys1[o]
    for j in range(stop - start):
        words[0, j], words[1, j], words[2, j], words[3, j] = _block(who[start + j], week, draw, key[0, j], key[1, j])
    return -1


@_compiled(inline="always")
def _at(values, i):
    """Element i of a per-element parameter, or the one value given for all."""
    return values[0] if values.size == 1 else values[i]


@_compiled()
def _first_outside(values, start, stop, low, high):
    """The first i in start..stop whose parameter is outside [low, high] (or NaN), else -1."""
    for i in range(start, stop):
        v = _at(values, i)
        if not (low <= v <= high):
            return i
    return -1


@_compiled()
def _words_kernel(keys0, keys1, org, who, week, draw, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = _blocks(keys0, keys1, org, who, week, draw, start, stop, key, words)
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[0, start + j], out[1, start + j] = words[0, j], words[1, j]
            out[2, start + j], out[3, start + j] = words[2, j], words[3, j]
    return -1


@_compiled()
def _uniform_kernel(keys0, keys1, org, who, week, draw, out, out2):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = _blocks(keys0, keys1, org, who, week, draw, start, stop, key, words)
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = _u53(words[0, j], words[1, j])
        if out2.size:
            for j in range(stop - start):
                out2[start + j] = _u53(words[2, j], words[3, j])
    return -1


@_compiled()
def _normal_kernel(keys0, keys1, org, who, week, draw, out, out2):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = _blocks(keys0, keys1, org, who, week, draw, start, stop, key, words)
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = normal_quantile(_u52_midpoint(words[0, j], words[1, j]))
        if out2.size:
            for j in range(stop - start):
                out2[start + j] = normal_quantile(_u52_midpoint(words[2, j], words[3, j]))
    return -1


@_compiled()
def _poisson_kernel(keys0, keys1, org, who, week, draw, lam, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = max(_blocks(keys0, keys1, org, who, week, draw, start, stop, key, words),
                  _first_outside(lam, start, stop, 0.0, POISSON_MAX_LAM))
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = poisson_quantile(_u53(words[0, j], words[1, j]), _at(lam, start + j))
    return -1


@_compiled()
def _binomial_kernel(keys0, keys1, org, who, week, draw, n, p, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = max(_blocks(keys0, keys1, org, who, week, draw, start, stop, key, words),
                  _first_outside(n, start, stop, 0, BINOMIAL_MAX_N), _first_outside(p, start, stop, 0.0, 1.0))
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = binomial_quantile(_u53(words[0, j], words[1, j]), _at(n, start + j), _at(p, start + j))
    return -1


@_compiled()
def _beta22_kernel(keys0, keys1, org, who, week, draw, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = _blocks(keys0, keys1, org, who, week, draw, start, stop, key, words)
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = beta22_quantile(_u53(words[0, j], words[1, j]))
    return -1


@_compiled()
def _geometric_kernel(keys0, keys1, org, who, week, draw, p, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = max(_blocks(keys0, keys1, org, who, week, draw, start, stop, key, words),
                  _first_outside(p, start, stop, GEOMETRIC_MIN_P, 1.0))
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = geometric_quantile(_u53(words[0, j], words[1, j]), _at(p, start + j))
    return -1


@_compiled()
def _integers_kernel(keys0, keys1, org, who, week, draw, high, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = max(_blocks(keys0, keys1, org, who, week, draw, start, stop, key, words),
                  _first_outside(high, start, stop, 1, INTEGERS_MAX_HIGH))
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = _below(words[0, j], words[1, j], np.uint64(_at(high, start + j)))
    return -1


@_compiled()
def _bernoulli_kernel(keys0, keys1, org, who, week, draw, p, out):
    key, words = _buffers()
    for start in range(0, who.size, _CHUNK):
        stop = min(start + _CHUNK, who.size)
        bad = max(_blocks(keys0, keys1, org, who, week, draw, start, stop, key, words),
                  _first_outside(p, start, stop, 0.0, 1.0))
        if bad >= 0:
            return bad
        for j in range(stop - start):
            out[start + j] = _u53(words[0, j], words[1, j]) < _at(p, start + j)
    return -1


# ----------------------------------------------------------------------------------------------
# Keys and the public face

_PURPOSES: dict[int, str] = {}
_NO_ORG = np.zeros(0, dtype=np.int64)
_NONE = np.zeros(0, dtype=np.float64)


def purpose_id(purpose: str) -> int:
    """A stable 32-bit id of a purpose name (SHA-256); two names sharing an id are refused."""
    ident = int.from_bytes(hashlib.sha256(purpose.encode("utf-8")).digest()[:4], "little")
    known = _PURPOSES.setdefault(ident, purpose)
    if known != purpose:  # pragma: no cover - a 1 in 4 billion accident per pair of names
        raise ValueError(f"random-number purposes {known!r} and {purpose!r} share the id {ident}")
    return ident


def _whole_numbers(values, field: str, high: int, allowed: str) -> np.ndarray:
    """``values`` as an integer array, refused unless every element is a whole number in [0, high)."""
    v = np.asarray(values)
    flat = v.ravel()
    if v.dtype == object:                      # Python ints beyond 64 bits, or mixed types
        for i, x in enumerate(flat.tolist()):
            if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < high:
                raise LMXInputError(_element(field, v, i), x, allowed)
        return v.astype(np.uint64)
    if v.dtype.kind not in "iu":
        raise LMXInputError(_element(field, v, 0), flat[0].item() if flat.size else values, allowed)
    too_big = flat >= high if high <= np.iinfo(v.dtype).max else np.zeros(flat.shape, dtype=bool)
    bad = np.flatnonzero((flat < 0) | too_big)
    if bad.size:
        raise LMXInputError(_element(field, v, int(bad[0])), flat[bad[0]].item(), allowed)
    return v


def _element(field: str, v: np.ndarray, i: int) -> str:
    return field if v.ndim == 0 else f"{field}[{i}]"


def _counter_word(value, field: str) -> int:
    """week or draw: one whole number in [0, 2**32)."""
    try:
        v = operator.index(value)
    except TypeError:
        raise LMXInputError(field, value, "a whole number in [0, 2**32)") from None
    if not 0 <= v < 2**32:
        raise LMXInputError(field, value, "a whole number in [0, 2**32)")
    return v


_SEED_RANGE = "whole numbers in [0, 2**64)"
_WHO_RANGE = "whole numbers in [0, 2**63)"
# per-element parameters: (lowest, highest, what is allowed)
_LAM = (0.0, POISSON_MAX_LAM, "numbers in [0, 700] (Poisson by inversion)")
_N = (0, BINOMIAL_MAX_N, "whole numbers in [0, 1000] (binomial by inversion)")
_PROBABILITY = (0.0, 1.0, "probabilities in [0, 1]")
_GEOMETRIC_P = (GEOMETRIC_MIN_P, 1.0, "probabilities in [1e-15, 1]")
_HIGH = (1, INTEGERS_MAX_HIGH, "whole numbers in [1, 2**32]")


class KeyedStreams:
    """The random numbers of one organisation, or of a batch of organisations.

    ``KeyedStreams(seeds)``: ``seeds`` is one seed or a 1-D array of per-organisation seeds,
    each a whole number in ``[0, 2**64)``. Every draw takes ``purpose`` (a name), ``who`` (an
    integer array of ids in ``[0, 2**63)``; the result has its shape), ``week``, an optional
    ``draw`` index and an optional ``org`` (an integer array of ``who``'s shape indexing
    ``seeds``; default: all 0). Element i depends only on ``(seeds[org[i]], purpose, who[i],
    week, draw)`` and its own parameters. Parameters (``lam``, ``n``, ``p``, ``high``) are one
    number for all or an array of ``who``'s shape."""

    def __init__(self, seeds):
        if np.ndim(seeds) > 1 or np.size(seeds) == 0:
            shape = f"an array of shape {np.shape(seeds)}"
            raise LMXInputError("seeds", shape, "one seed or a non-empty 1-D array of seeds")
        seeds = _whole_numbers(seeds, "seed" if np.ndim(seeds) == 0 else "seeds", 2**64, _SEED_RANGE)
        self.seeds = np.atleast_1d(seeds).astype(np.uint64)
        self._seed_words = (self.seeds & _MASK32, self.seeds >> np.uint64(32))
        self._keys: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def n_orgs(self) -> int:
        """How many organisations (seeds) these streams serve."""
        return self.seeds.size

    def key(self, purpose: str) -> tuple[np.ndarray, np.ndarray]:
        """The stream keys of ``purpose``, one (k0, k1) per organisation (derived once, cached)."""
        keys = self._keys.get(purpose)
        if keys is None:
            if not isinstance(purpose, str) or not purpose:
                raise LMXInputError("purpose", purpose, "a non-empty name such as 'quit'")
            k = philox4x32((np.uint64(purpose_id(purpose)), 0, 0, 0), self._seed_words)
            keys = self._keys[purpose] = (np.ascontiguousarray(k[0]), np.ascontiguousarray(k[1]))
        return keys

    # -- the draws ---------------------------------------------------------------------------

    def words(self, purpose: str, who, week: int, draw: int = 0, org=None) -> np.ndarray:
        """The raw block of each ``who``: a uint64 array of shape (4, *who.shape) of 32-bit words."""
        d = _Draw(self, who, org)
        out = np.empty((4, d.size), dtype=np.uint64)
        d.run(_words_kernel, purpose, week, draw, out)
        return out.reshape((4, *d.shape))

    def uniform(self, purpose: str, who, week: int, draw: int = 0, org=None) -> np.ndarray:
        """A uniform number in [0, 1) (53 random bits) for each ``who``."""
        d = _Draw(self, who, org)
        out = np.empty(d.size)
        d.run(_uniform_kernel, purpose, week, draw, out, _NONE)
        return out.reshape(d.shape)

    def uniform_pair(self, purpose: str, who, week: int, draw: int = 0, org=None) -> tuple[np.ndarray, np.ndarray]:
        """Two independent uniforms in [0, 1) per ``who`` from one block; the first is ``uniform``'s."""
        d = _Draw(self, who, org)
        out, out2 = np.empty(d.size), np.empty(d.size)
        d.run(_uniform_kernel, purpose, week, draw, out, out2)
        return out.reshape(d.shape), out2.reshape(d.shape)

    def normal(self, purpose: str, who, week: int, draw: int = 0, org=None) -> np.ndarray:
        """A standard normal number for each ``who`` (inverse CDF of one uniform)."""
        d = _Draw(self, who, org)
        out = np.empty(d.size)
        d.run(_normal_kernel, purpose, week, draw, out, _NONE)
        return out.reshape(d.shape)

    def normal_pair(self, purpose: str, who, week: int, draw: int = 0, org=None) -> tuple[np.ndarray, np.ndarray]:
        """Two independent standard normals per ``who`` from one block; the first is ``normal``'s."""
        d = _Draw(self, who, org)
        out, out2 = np.empty(d.size), np.empty(d.size)
        d.run(_normal_kernel, purpose, week, draw, out, out2)
        return out.reshape(d.shape), out2.reshape(d.shape)

    def poisson(self, purpose: str, who, week: int, lam, draw: int = 0, org=None) -> np.ndarray:
        """A Poisson(lam) count for each ``who`` (lam in [0, 700])."""
        d = _Draw(self, who, org)
        out = np.empty(d.size, dtype=np.int64)
        d.run(_poisson_kernel, purpose, week, draw, d.parameter("lam", lam, _LAM), out)
        return out.reshape(d.shape)

    def binomial(self, purpose: str, who, week: int, n, p, draw: int = 0, org=None) -> np.ndarray:
        """A Binomial(n, p) count for each ``who`` (n in [0, 1000], p in [0, 1])."""
        d = _Draw(self, who, org)
        out = np.empty(d.size, dtype=np.int64)
        d.run(_binomial_kernel, purpose, week, draw, d.parameter("n", n, _N), d.parameter("p", p, _PROBABILITY), out)
        return out.reshape(d.shape)

    def beta22(self, purpose: str, who, week: int, draw: int = 0, org=None) -> np.ndarray:
        """A Beta(2, 2) number in [0, 1] for each ``who`` (closed-form inverse CDF)."""
        d = _Draw(self, who, org)
        out = np.empty(d.size)
        d.run(_beta22_kernel, purpose, week, draw, out)
        return out.reshape(d.shape)

    def geometric(self, purpose: str, who, week: int, p, draw: int = 0, org=None) -> np.ndarray:
        """Trials to the first success, on {1, 2, ...} as numpy's (p in [1e-15, 1])."""
        d = _Draw(self, who, org)
        out = np.empty(d.size, dtype=np.int64)
        d.run(_geometric_kernel, purpose, week, draw, d.parameter("p", p, _GEOMETRIC_P), out)
        return out.reshape(d.shape)

    def integers(self, purpose: str, who, week: int, high, draw: int = 0, org=None) -> np.ndarray:
        """A whole number in [0, high) for each ``who`` (high in [1, 2**32])."""
        d = _Draw(self, who, org)
        out = np.empty(d.size, dtype=np.int64)
        d.run(_integers_kernel, purpose, week, draw, d.parameter("high", high, _HIGH), out)
        return out.reshape(d.shape)

    def bernoulli(self, purpose: str, who, week: int, p, draw: int = 0, org=None) -> np.ndarray:
        """True with probability p for each ``who`` (``uniform < p``; p in [0, 1])."""
        d = _Draw(self, who, org)
        out = np.empty(d.size, dtype=np.bool_)
        d.run(_bernoulli_kernel, purpose, week, draw, d.parameter("p", p, _PROBABILITY), out)
        return out.reshape(d.shape)


class _Draw:
    """One call's elements: ``who`` and ``org`` flattened to int64 (org empty: all 0), its
    per-element parameters, and the one-line error of whichever element a kernel refuses."""

    def __init__(self, streams: KeyedStreams, who, org):
        self.streams = streams
        w = np.asarray(who)
        if w.dtype != np.int64:   # int64 is checked in the kernel, in the same pass as the draw
            w = _whole_numbers(w, "who", 2**63, _WHO_RANGE).astype(np.int64)
        self.shape, self.size = w.shape, w.size
        self.who = w.ravel()
        self.org = _NO_ORG
        if org is not None:
            o = np.asarray(org)
            if o.shape != self.shape:
                raise LMXInputError("org", f"an array of shape {o.shape}", f"an array of who's shape {self.shape}")
            if o.dtype != np.int64:
                o = _whole_numbers(o, "org", streams.n_orgs, self._org_range()).astype(np.int64)
            self.org = o.ravel()
        self.limits: dict[str, tuple[np.ndarray, tuple, bool]] = {}

    def _org_range(self) -> str:
        return f"indices of seeds, whole numbers in [0, {self.streams.n_orgs})"

    def parameter(self, field: str, values, limits: tuple) -> np.ndarray:
        """A per-element parameter as a flat array: one value for all, or one per ``who``."""
        v = np.asarray(values)
        low, high, allowed = limits
        if v.ndim and v.shape != self.shape:
            raise LMXInputError(field, f"an array of shape {v.shape}",
                                f"one number or an array of who's shape {self.shape}")
        flat = v.ravel()
        if v.dtype.kind not in ("iu" if isinstance(low, int) else "iuf"):
            raise LMXInputError(_element(field, v, 0), flat[0].item() if flat.size else values, allowed)
        if v.dtype.kind == "u" and (flat > high).any():   # would not survive the cast to int64
            i = int(np.flatnonzero(flat > high)[0])
            raise LMXInputError(_element(field, v, i), flat[i].item(), allowed)
        flat = np.ascontiguousarray(flat, dtype=np.int64 if isinstance(low, int) else np.float64)
        self.limits[field] = (flat, limits, v.ndim > 0)
        return flat

    def run(self, kernel, purpose: str, week, draw, *arrays) -> None:
        """Run ``kernel`` over the elements; raise the error of the first one it refused."""
        keys0, keys1 = self.streams.key(purpose)
        bad = kernel(keys0, keys1, self.org, self.who, _counter_word(week, "week"), _counter_word(draw, "draw"),
                     *arrays)
        if bad >= 0:
            self._refuse(int(bad))

    def _refuse(self, i: int) -> None:
        where = f"[{i}]" if self.shape else ""
        if self.who[i] < 0:
            raise LMXInputError(f"who{where}", int(self.who[i]), _WHO_RANGE)
        if self.org.size and not 0 <= self.org[i] < self.streams.n_orgs:
            raise LMXInputError(f"org{where}", int(self.org[i]), self._org_range())
        for field, (flat, (low, high, allowed), per_element) in self.limits.items():
            value = flat[i] if per_element else flat[0]
            if not low <= value <= high:
                raise LMXInputError(f"{field}{where}" if per_element else field, value.item(), allowed)
        raise AssertionError(f"a kernel refused element {i} for no known reason")  # pragma: no cover
