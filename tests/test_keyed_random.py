"""Keyed random numbers: Philox4x32-10 against published answers, the compiled kernel against
the numpy reference, purity, batches, every distribution against scipy, independence, bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from lmxsim.errors import LMXInputError
from lmxsim.keyed_random import (KeyedStreams, beta22_quantile, binomial_quantile, normal_quantile, philox4x32,
                                 philox_block, poisson_quantile)

ROOT = Path(__file__).resolve().parents[1]

# Random123's tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key (2), result (4).
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), (0xffffffff, 0xffffffff),
     (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
]

WORD = st.integers(0, 2**32 - 1)
WHO = st.integers(0, 2**63 - 1)

# Every draw, by name, as a function of (streams, who, week, parameters drawn for that who).
# The parameters are per element, so a subset of who carries the subset of its parameters.
DRAWS = {
    "uniform": lambda s, who, week, prm, **kw: s.uniform("test", who, week, **kw),
    "uniform_pair": lambda s, who, week, prm, **kw: np.stack(s.uniform_pair("test", who, week, **kw)),
    "normal": lambda s, who, week, prm, **kw: s.normal("test", who, week, **kw),
    "normal_pair": lambda s, who, week, prm, **kw: np.stack(s.normal_pair("test", who, week, **kw)),
    "poisson": lambda s, who, week, prm, **kw: s.poisson("test", who, week, prm["lam"], **kw),
    "binomial": lambda s, who, week, prm, **kw: s.binomial("test", who, week, prm["n"], prm["p"], **kw),
    "beta22": lambda s, who, week, prm, **kw: s.beta22("test", who, week, **kw),
    "geometric": lambda s, who, week, prm, **kw: s.geometric("test", who, week, prm["q"], **kw),
    "integers": lambda s, who, week, prm, **kw: s.integers("test", who, week, prm["high"], **kw),
    "bernoulli": lambda s, who, week, prm, **kw: s.bernoulli("test", who, week, prm["p"], **kw),
    "words": lambda s, who, week, prm, **kw: s.words("test", who, week, **kw),
}


def parameters_for(who: np.ndarray) -> dict[str, np.ndarray]:
    """Per-element parameters spread over each distribution's range (derived from who, so fixed)."""
    r = np.random.default_rng(who.astype(np.uint64) % np.uint64(2**32))  # one generator for the lot
    return {"lam": r.uniform(0, 20, who.size), "n": r.integers(0, 60, who.size), "p": r.uniform(0, 1, who.size),
            "q": r.uniform(0.01, 1, who.size), "high": r.integers(1, 2**32, who.size, endpoint=True)}


def select(params: dict[str, np.ndarray], idx) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in params.items()}


def along_who(values: np.ndarray, idx) -> np.ndarray:
    """Select elements along who's axis (the last axis of pairs and words)."""
    return values[..., idx]


# ----------------------------------------------------------------------------- the generator itself

@pytest.mark.parametrize("counter,key,expected", KNOWN_ANSWERS)
def test_philox_matches_the_published_known_answers(counter, key, expected):
    assert tuple(int(w) for w in philox4x32(counter, key)) == expected


@pytest.mark.parametrize("counter,key,expected", KNOWN_ANSWERS)
def test_the_compiled_philox_matches_the_published_known_answers(counter, key, expected):
    block = philox_block(*(np.uint64(w) for w in counter), *(np.uint64(k) for k in key))
    assert tuple(int(w) for w in block) == expected


def test_philox_on_arrays_equals_philox_one_by_one():
    counters = np.array([k[0] for k in KNOWN_ANSWERS], dtype=np.uint64).T
    keys = np.array([k[1] for k in KNOWN_ANSWERS], dtype=np.uint64).T
    out = np.array(philox4x32(counters, keys)).T
    assert [tuple(int(w) for w in row) for row in out] == [k[2] for k in KNOWN_ANSWERS]


@given(counter=st.tuples(WORD, WORD, WORD, WORD), key=st.tuples(WORD, WORD))
def test_the_compiled_philox_is_bit_identical_to_the_numpy_reference(counter, key):
    compiled = philox_block(*(np.uint64(w) for w in counter), *(np.uint64(k) for k in key))
    assert tuple(int(w) for w in compiled) == tuple(int(w) for w in philox4x32(counter, key))


@given(seeds=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=4),
       who=st.lists(WHO, min_size=1, max_size=700), week=WORD, draw=WORD, data=st.data())
def test_the_kernels_blocks_are_the_reference_blocks_of_the_documented_key_and_counter(seeds, who, week, draw, data):
    """More than one 512-element chunk, several organisations: block i = philox((who, week, draw), key(org))."""
    org = np.array(data.draw(st.lists(st.integers(0, len(seeds) - 1), min_size=len(who), max_size=len(who))))
    streams = KeyedStreams(np.array(seeds, dtype=np.uint64))
    who = np.array(who, dtype=np.int64)
    k0, k1 = streams.key("perception")
    expected = philox4x32((who & 0xFFFFFFFF, who >> 32, week, draw), (k0[org], k1[org]))
    np.testing.assert_array_equal(streams.words("perception", who, week, draw, org=org), np.array(expected))


def test_a_purposes_key_is_the_first_two_words_of_philox_of_its_id_under_the_seed():
    seed = 0x0123456789ABCDEF
    from lmxsim.keyed_random import purpose_id
    block = philox4x32((purpose_id("quit"), 0, 0, 0), (seed & 0xFFFFFFFF, seed >> 32))
    k0, k1 = KeyedStreams(seed).key("quit")
    assert (int(k0[0]), int(k1[0])) == (int(block[0]), int(block[1]))


# ----------------------------------------------------------------------------- purity and batches

@pytest.mark.parametrize("name", sorted(DRAWS))
@given(seed=st.integers(0, 2**64 - 1), who=st.lists(WHO, min_size=1, max_size=40, unique=True),
       week=WORD, data=st.data())
def test_a_subset_draws_what_it_drew_among_everyone(name, seed, who, week, data):
    """Drawn for a subset of who (with the subset's parameters) = drawn for all, then selected."""
    who = np.array(who, dtype=np.int64)
    idx = np.array(sorted(data.draw(st.sets(st.integers(0, len(who) - 1), min_size=1))))
    params = parameters_for(who)
    everyone = DRAWS[name](KeyedStreams(seed), who, week, params)
    subset = DRAWS[name](KeyedStreams(seed), who[idx], week, select(params, idx))
    np.testing.assert_array_equal(subset, along_who(everyone, idx))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_batch_of_organisations_draws_what_each_draws_alone(name):
    seeds = np.array([3, 3, 5, 2**64 - 1, 0], dtype=np.uint64)
    rng = np.random.default_rng(11)
    who = rng.integers(0, 2**63, 1500)          # three chunks, organisations interleaved
    org = rng.integers(0, seeds.size, who.size)
    params = parameters_for(who)
    batch = DRAWS[name](KeyedStreams(seeds), who, 52, params, draw=2, org=org)
    for o, seed in enumerate(seeds):
        mine = np.flatnonzero(org == o)
        alone = DRAWS[name](KeyedStreams(int(seed)), who[mine], 52, select(params, mine), draw=2)
        np.testing.assert_array_equal(along_who(batch, mine), alone)


def test_an_organisations_index_defaults_to_the_first_seed():
    who = np.arange(100)
    two = KeyedStreams(np.array([8, 9], dtype=np.uint64))
    np.testing.assert_array_equal(two.normal("x", who, 1), KeyedStreams(8).normal("x", who, 1))
    np.testing.assert_array_equal(two.normal("x", who, 1, org=np.ones(100, dtype=int)),
                                  KeyedStreams(9).normal("x", who, 1))


def test_one_key_is_one_piece_of_luck_read_by_every_distribution():
    """uniform, bernoulli, poisson ... of the same (purpose, who, week, draw) read the same u."""
    s, who = KeyedStreams(4), np.arange(5000)
    u = s.uniform("luck", who, 9)
    np.testing.assert_array_equal(s.bernoulli("luck", who, 9, 0.3), u < 0.3)
    np.testing.assert_array_equal(s.poisson("luck", who, 9, 2.5), [poisson_quantile(x, 2.5) for x in u])
    np.testing.assert_array_equal(s.uniform_pair("luck", who, 9)[0], u)
    np.testing.assert_array_equal(s.normal_pair("luck", who, 9)[0], s.normal("luck", who, 9))


@pytest.mark.parametrize("shape", [(), (3,), (4, 5), (0,)])
def test_results_take_whos_shape(shape):
    who = np.arange(int(np.prod(shape))).reshape(shape)
    s = KeyedStreams(1)
    params = {"lam": 1.0, "n": 5, "p": 0.5, "q": 0.5, "high": 10}
    for name, draw in DRAWS.items():
        out = draw(s, who, 0, {k: np.full(shape, v) for k, v in params.items()})
        leading = {"uniform_pair": (2,), "normal_pair": (2,), "words": (4,)}.get(name, ())
        assert out.shape == leading + shape, name
        flat = draw(s, who.ravel(), 0, params)
        np.testing.assert_array_equal(out.reshape(flat.shape), flat)


def test_different_seeds_purposes_weeks_and_draws_give_different_numbers():
    who = np.arange(1000)
    base = KeyedStreams(7).uniform("quit", who, 3)
    for other in (KeyedStreams(8).uniform("quit", who, 3), KeyedStreams(7).uniform("hire", who, 3),
                  KeyedStreams(7).uniform("quit", who, 4), KeyedStreams(7).uniform("quit", who, 3, draw=1)):
        assert (base != other).mean() > 0.999


# ----------------------------------------------------------------------------- distributions

N = 200_000   # KS then detects a CDF off by about 0.5 percentage points; chi-square a 2% rate error


def chi_square_pvalue(sample: np.ndarray, dist, bins: int = 40) -> float:
    """Pearson's chi-square of an integer sample against a scipy discrete distribution, in bins
    cut at the distribution's quantiles (so each expects a fair share of the sample)."""
    cuts = np.unique(dist.ppf(np.linspace(0, 1, bins + 1)[1:-1]))      # bin i: cuts[i-1] < x <= cuts[i]
    cuts = cuts[np.isfinite(cuts)]
    observed = np.bincount(np.searchsorted(cuts, sample, side="left"), minlength=cuts.size + 1)
    expected = np.diff(np.concatenate([[0.0], dist.cdf(cuts), [1.0]])) * sample.size
    keep = expected > 0
    assert observed[~keep].sum() == 0, "values the distribution cannot produce"
    if keep.sum() < 2:
        return 1.0
    return stats.chisquare(observed[keep], expected[keep] * observed.sum() / expected[keep].sum()).pvalue


def test_uniforms_are_uniform():
    s = KeyedStreams(2026)
    who = np.arange(N)
    for u in (s.uniform("test.uniform", who, 0), s.uniform_pair("test.uniform", who, 0)[1]):
        assert ((0.0 <= u) & (u < 1.0)).all()
        assert stats.kstest(u, "uniform").pvalue > 1e-3
        assert stats.chisquare(np.bincount((u * 100).astype(int), minlength=100)).pvalue > 1e-3
        assert np.all(u * 2.0**53 == np.floor(u * 2.0**53))     # 53-bit multiples of 2**-53


def test_normals_are_normal():
    s = KeyedStreams(2026)
    who = np.arange(N)
    for z in (s.normal("test.normal", who, 0), *s.normal_pair("test.normal", who, 1)):
        assert stats.kstest(z, "norm").pvalue > 1e-3
        assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
        assert np.abs(z).max() < 8.3


def test_the_normal_quantile_is_accurate_to_the_last_digits_and_symmetric():
    edges = np.array([0.075, 0.925, np.exp(-25.0), 1 - np.exp(-25.0)])      # where AS 241 switches formula
    u = np.concatenate([np.linspace(0, 1, 100_003)[1:-1], 2.0 ** -np.arange(2, 54),
                        (edges[:, None] * (1 + np.array([-1e-12, 0, 1e-12]))).ravel()])
    z = np.array([normal_quantile(x) for x in u])
    np.testing.assert_allclose(z, special.ndtri(u), rtol=1e-14, atol=1e-15)
    k = np.arange(0, 2**52, 2**52 // 9973, dtype=np.uint64)   # the normal's own (k + 1/2) 2**-52 grid
    grid = (k + 0.5) * 2.0**-52
    np.testing.assert_array_equal([normal_quantile(x) for x in grid], [-normal_quantile(1.0 - x) for x in grid])


@pytest.mark.parametrize("lam", [0.0, 0.05, 0.7, 3.0, 5.0, 30.0, 250.0, 700.0])
def test_poisson_counts_follow_the_poisson_distribution(lam):
    n = N if lam <= 30 else 40_000      # the search costs about lam steps
    x = KeyedStreams(17).poisson("test.poisson", np.arange(n), 0, lam)
    if lam == 0.0:
        assert (x == 0).all()
        return
    assert chi_square_pvalue(x, stats.poisson(lam)) > 1e-3
    assert abs(x.mean() - lam) < 5 * np.sqrt(lam / n)


def test_the_goodness_of_fit_tests_here_see_a_two_percent_error():
    """The sample sizes have power: Poisson(1.02 lam) is told from Poisson(lam), a 0.5% shift of normals too."""
    x = KeyedStreams(17).poisson("test.poisson", np.arange(N), 0, 3.0 * 1.02)
    assert chi_square_pvalue(x, stats.poisson(3.0)) < 1e-3
    z = KeyedStreams(2026).normal("test.normal", np.arange(N), 0)
    assert stats.kstest(z + 0.015, "norm").pvalue < 1e-3


def test_poisson_rates_vary_per_element_and_a_larger_rate_never_gives_fewer_from_the_same_luck():
    who = np.arange(N)
    lam = np.where(who % 2 == 0, 0.4, 4.0)
    s = KeyedStreams(5)
    x = s.poisson("ideas", who, 3, lam)
    for rate in (0.4, 4.0):
        mine = lam == rate
        np.testing.assert_array_equal(x[mine], s.poisson("ideas", who[mine], 3, rate))
        assert chi_square_pvalue(x[mine], stats.poisson(rate)) > 1e-3
    assert (s.poisson("ideas", who, 3, lam * 1.1) >= x).all()


@pytest.mark.parametrize("n,p", [(1, 0.5), (10, 0.05), (20, 0.5), (30, 0.9), (60, 0.999), (1000, 0.5), (1000, 0.998),
                                 (1000, 1e-4)])
def test_binomial_counts_follow_the_binomial_distribution(n, p):
    x = KeyedStreams(23).binomial("test.binomial", np.arange(N), 0, n, p)
    assert ((0 <= x) & (x <= n)).all()
    assert chi_square_pvalue(x, stats.binom(n, p)) > 1e-3


def test_binomial_is_exact_at_n_zero_and_p_zero_and_one_and_monotone_in_p():
    s, who = KeyedStreams(29), np.arange(20_000)
    n = who % 40
    assert (s.binomial("t", who, 0, 0, 0.7) == 0).all()
    assert (s.binomial("t", who, 0, n, 0.0) == 0).all()
    np.testing.assert_array_equal(s.binomial("t", who, 0, n, 1.0), n)
    previous = s.binomial("t", who, 0, n, 0.0)
    for p in np.linspace(0.05, 1.0, 20):          # crosses 1/2, where the search turns around
        x = s.binomial("t", who, 0, n, p)
        assert (x >= previous).all(), p
        previous = x
    # the same as scipy's quantile of the same u (away from rounding at the CDF's steps)
    u = s.uniform("t", who, 0)
    assert np.mean([binomial_quantile(x, 37, 0.3) for x in u] == stats.binom.ppf(u, 37, 0.3)) > 0.9999


def test_beta22_is_the_inverse_of_its_cdf_and_beta_distributed():
    u = np.linspace(0, 1, 10_001)[:-1]
    x = np.array([beta22_quantile(v) for v in u])
    np.testing.assert_allclose(3 * x**2 - 2 * x**3, u, atol=1e-14)
    assert 0.0 <= x[0] < 1e-15 and np.all(np.diff(x) > 0)          # absolute error about 1e-16
    assert 0.0 <= beta22_quantile(0.0) and beta22_quantile(1.0 - 2.0**-53) < 1.0
    b = KeyedStreams(31).beta22("test.beta", np.arange(N), 0)
    assert ((0.0 <= b) & (b <= 1.0)).all()
    assert stats.kstest(b, stats.beta(2, 2).cdf).pvalue > 1e-3


@pytest.mark.parametrize("p", [1.0, 0.9, 0.3, 0.01, 1e-6])
def test_geometric_counts_trials_to_the_first_success_as_numpy_does(p):
    x = KeyedStreams(37).geometric("test.geometric", np.arange(N), 0, p)
    assert x.min() >= 1
    if p == 1.0:
        assert (x == 1).all()
        return
    assert chi_square_pvalue(x, stats.geom(p)) > 1e-3
    numpy_sample = np.random.default_rng(1).geometric(p, N)     # same support and law as numpy's
    assert stats.ks_2samp(x, numpy_sample).pvalue > 1e-3


@pytest.mark.parametrize("high", [1, 2, 6, 1000, 2**32])
def test_integers_are_uniform_below_high(high):
    x = KeyedStreams(41).integers("test.integers", np.arange(N), 0, high)
    assert ((0 <= x) & (x < high)).all()
    if high == 1:
        return
    if high <= 1000:
        assert stats.chisquare(np.bincount(x, minlength=high)).pvalue > 1e-3
    else:
        assert stats.kstest((x + 0.5) / high, "uniform").pvalue > 1e-3


@given(a=WORD, b=WORD, high=st.integers(1, 2**32))
def test_integers_are_the_exact_floor_of_the_64_bit_fraction_times_high(a, b, high):
    from lmxsim.keyed_random import _below
    assert int(_below(np.uint64(a), np.uint64(b), np.uint64(high))) == ((a << 32 | b) * high) >> 64


def test_bernoulli_is_exact_at_zero_and_one_and_has_rate_p():
    s, who = KeyedStreams(43), np.arange(N)
    assert not s.bernoulli("t", who, 0, 0.0).any()
    assert s.bernoulli("t", who, 0, 1.0).all()
    hits = s.bernoulli("t", who, 0, 0.3).sum()
    assert stats.binomtest(int(hits), N, 0.3).pvalue > 1e-3
    assert (s.bernoulli("t", who, 0, 0.31) >= s.bernoulli("t", who, 0, 0.3)).all()


# ----------------------------------------------------------------------------- independence

def test_draws_for_different_purposes_people_weeks_draws_and_organisations_are_uncorrelated():
    streams = KeyedStreams(np.array([99, 100], dtype=np.uint64))
    who = np.arange(100_000)
    a = streams.uniform("perception.competence", who, 10)
    pairs = {
        "another purpose": streams.uniform("perception.loyalty", who, 10),
        "the next person": streams.uniform("perception.competence", who + 1, 10),
        "the desk's next occupant": streams.uniform("perception.competence", who + 2**32, 10),
        "the next week": streams.uniform("perception.competence", who, 11),
        "the next draw": streams.uniform("perception.competence", who, 10, draw=1),
        "the pair's second": streams.uniform_pair("perception.competence", who, 10)[1],
        "another organisation": streams.uniform("perception.competence", who, 10, org=np.ones(who.size, dtype=int)),
        "the normal pair's second": special.ndtr(streams.normal_pair("perception.competence", who, 10)[1]),
    }
    bound = 4.0 / np.sqrt(len(who))   # |r| of independent samples exceeds 4 sd about once in 15,000
    for name, b in pairs.items():
        assert abs(np.corrcoef(a, b)[0, 1]) < bound, name
        assert abs(stats.spearmanr(a, b)[0]) < bound, name
        joint = np.histogram2d(a, b, bins=10)[0].ravel()      # and no structure a correlation misses
        assert stats.chisquare(joint).pvalue > 1e-4, name


# ----------------------------------------------------------------------------- bad input

BAD = [
    (lambda: KeyedStreams(-1), "seed", "-1"),
    (lambda: KeyedStreams(2**64), "seed", str(2**64)),
    (lambda: KeyedStreams(1.5), "seed", "1.5"),
    (lambda: KeyedStreams(np.array([1, -3])), "seeds[1]", "-3"),
    (lambda: KeyedStreams([[1, 2]]), "seeds", "shape"),
    (lambda: KeyedStreams([]), "seeds", "shape (0,)"),
    (lambda: KeyedStreams(0).uniform("quit", np.array([0, -1]), 0), "who[1]", "-1"),
    (lambda: KeyedStreams(0).uniform("quit", np.array([2**63], dtype=np.uint64), 0), "who[0]", str(2**63)),
    (lambda: KeyedStreams(0).uniform("quit", np.array([0.5]), 0), "who[0]", "0.5"),
    (lambda: KeyedStreams(0).uniform("quit", np.arange(600) - 599, 0), "who[0]", "-599"),
    (lambda: KeyedStreams(0).uniform("quit", [0], -1), "week", "-1"),
    (lambda: KeyedStreams(0).uniform("quit", [0], 2**32), "week", str(2**32)),
    (lambda: KeyedStreams(0).uniform("quit", [0], 1.5), "week", "1.5"),
    (lambda: KeyedStreams(0).uniform("quit", [0], 0, draw=2**32), "draw", str(2**32)),
    (lambda: KeyedStreams(0).uniform("", [0], 0), "purpose", "''"),
    (lambda: KeyedStreams([1, 2]).uniform("quit", np.arange(3), 0, org=np.array([0, 2, 1])), "org[1]", "2"),
    (lambda: KeyedStreams([1, 2]).uniform("quit", np.arange(3), 0, org=np.array([0, 1, -1])), "org[2]", "-1"),
    (lambda: KeyedStreams([1, 2]).uniform("quit", np.arange(3), 0, org=np.array([0, 1])), "org", "shape"),
    (lambda: KeyedStreams(0).poisson("ideas", np.arange(3), 0, -0.5), "lam", "-0.5"),
    (lambda: KeyedStreams(0).poisson("ideas", np.arange(3), 0, np.array([1.0, 701.0, 1.0])), "lam[1]", "701.0"),
    (lambda: KeyedStreams(0).poisson("ideas", np.arange(3), 0, np.array([1.0, 1.0, np.nan])), "lam[2]", "nan"),
    (lambda: KeyedStreams(0).poisson("ideas", np.arange(3), 0, np.ones(2)), "lam", "shape"),
    (lambda: KeyedStreams(0).binomial("tried", np.arange(3), 0, 5, 1.5), "p", "1.5"),
    (lambda: KeyedStreams(0).binomial("tried", np.arange(3), 0, 5, -0.1), "p", "-0.1"),
    (lambda: KeyedStreams(0).binomial("tried", np.arange(3), 0, np.array([5, -1, 2]), 0.5), "n[1]", "-1"),
    (lambda: KeyedStreams(0).binomial("tried", np.arange(3), 0, 1001, 0.5), "n", "1001"),
    (lambda: KeyedStreams(0).binomial("tried", np.arange(3), 0, 2.5, 0.5), "n", "2.5"),
    (lambda: KeyedStreams(0).bernoulli("quit", np.arange(3), 0, np.array([0.1, 0.2, 1.01])), "p[2]", "1.01"),
    (lambda: KeyedStreams(0).geometric("tenure", np.arange(3), 0, 0.0), "p", "0.0"),
    (lambda: KeyedStreams(0).integers("pick", np.arange(3), 0, 0), "high", "0"),
    (lambda: KeyedStreams(0).integers("pick", np.arange(3), 0, 2**32 + 1), "high", str(2**32 + 1)),
]


@pytest.mark.parametrize("call,field,value", BAD, ids=[f"{b[1]}={b[2]}" for b in BAD])
def test_bad_input_is_refused_in_one_line_naming_field_value_and_what_is_allowed(call, field, value):
    with pytest.raises(LMXInputError) as err:
        call()
    message = str(err.value)
    assert "\n" not in message
    assert err.value.field == field and value in message and "is not allowed: " in message, message


def test_a_refused_draw_leaves_the_streams_usable():
    s = KeyedStreams(3)
    before = s.poisson("ideas", np.arange(10), 1, 2.0)
    with pytest.raises(LMXInputError):
        s.poisson("ideas", np.arange(10), 1, -2.0)
    np.testing.assert_array_equal(s.poisson("ideas", np.arange(10), 1, 2.0), before)


# ----------------------------------------------------------------------------- the on-disk kernel cache

CACHE_PROBE = textwrap.dedent("""
    import json, numpy as np
    from lmxsim import keyed_random
    x = keyed_random.KeyedStreams(5).uniform("quit", np.arange(10), 1)
    print(json.dumps({"first": float(x[0]), "hits": sum(keyed_random._uniform_kernel.stats.cache_hits.values())}))
""")


def _make_read_only(path: Path) -> bool:
    """Make ``path`` unwritable, even to root where chattr allows; False where it cannot be done."""
    for p in [path, *path.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    if os.access(path, os.W_OK):     # root: permissions do not bind, an immutable flag does
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            return False
    try:
        (path / "probe").touch()
    except OSError:
        return True
    (path / "probe").unlink()
    return False


def test_compiled_kernels_are_cached_for_the_next_process_even_from_a_read_only_package(tmp_path):
    """A package directory nobody may write (an installed wheel): numba falls back to its user-wide
    cache (~/.cache/numba, or NUMBA_CACHE_DIR), and the next process loads instead of compiling.
    With no writable cache directory at all the kernels still work, compiled per process, with a warning."""
    package = tmp_path / "site" / "lmxsim"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name in ("errors.py", "keyed_random.py"):
        (package / name).write_text((ROOT / "lmxsim" / name).read_text())
    home, locked_home = tmp_path / "home", tmp_path / "locked_home"
    home.mkdir()
    locked_home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env["PYTHONPATH"] = str(package.parent)
    try:
        if not (_make_read_only(package) and _make_read_only(locked_home)):
            pytest.skip("cannot make a read-only directory here")
        runs = [subprocess.run([sys.executable, "-c", CACHE_PROBE], env={**env, "HOME": str(h)}, capture_output=True,
                               text=True, timeout=300, cwd=tmp_path) for h in (home, home, locked_home)]
    finally:
        for locked in (package, locked_home):
            subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
            for p in [locked, *locked.rglob("*")]:
                p.chmod(p.stat().st_mode | stat.S_IWUSR)
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second, uncached = (json.loads(r.stdout) for r in runs)
    assert first["hits"] == 0 and second["hits"] >= 1 and uncached["hits"] == 0
    expected = KeyedStreams(5).uniform("quit", np.arange(10), 1)[0]
    assert first["first"] == second["first"] == uncached["first"] == expected
    assert not list(package.rglob("*.nbi"))
    assert list((home / ".cache" / "numba").rglob("*keyed_random*.nbi"))
    assert "RuntimeWarning" not in runs[0].stderr + runs[1].stderr
    assert "NUMBA_CACHE_DIR" in runs[2].stderr and "RuntimeWarning" in runs[2].stderr


def test_the_benchmark_script_runs_and_reports_every_figure(tmp_path):
    """benchmarks/bench_keyed.py end to end on tiny sizes: every row present and positive (no timing asserted)."""
    out = tmp_path / "keyed.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_keyed.py"), "--sizes", "1000",
                          "--seconds", "0.01", "--json", str(out)], capture_output=True, text=True, timeout=600,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-2000:]
    res = json.loads(out.read_text())
    assert {r["draw"] for r in res["throughput"]} >= {"uniform", "normal", "poisson, lam = 0.15"}
    assert all(r["per_cpu_second_median"] > 0 and r["per_second_wall_best"] > 0 for r in res["throughput"])
    compiled, loaded = (res["compile"][k]["first_call"] for k in res["compile"] if k != "cache_files")
    assert set(compiled) == set(loaded) == {"uniform", "normal", "poisson", "binomial", "bernoulli", "beta22",
                                            "geometric", "integers", "words"}
    assert res["compile"]["cache_files"] >= 9
    assert "| uniform | keyed | 1,000 |" in run.stdout
