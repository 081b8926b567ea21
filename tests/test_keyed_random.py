"""Keyed random numbers: Philox4x32-10 against published answers, purity, uniformity, independence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from lmxsim.keyed_random import KeyedStreams, philox4x32

# Random123's tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key (2), result (4).
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), (0xffffffff, 0xffffffff),
     (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
]


@pytest.mark.parametrize("counter,key,expected", KNOWN_ANSWERS)
def test_philox_matches_the_published_known_answers(counter, key, expected):
    assert tuple(int(w) for w in philox4x32(counter, key)) == expected


def test_philox_on_arrays_equals_philox_one_by_one():
    counters = np.array([k[0] for k in KNOWN_ANSWERS], dtype=np.uint64).T
    keys = np.array([k[1] for k in KNOWN_ANSWERS], dtype=np.uint64).T
    out = np.array(philox4x32(counters, keys)).T
    assert [tuple(int(w) for w in row) for row in out] == [k[2] for k in KNOWN_ANSWERS]


@given(seed=st.integers(0, 2**64 - 1), who=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=30),
       week=st.integers(0, 2**32 - 1), pick=st.integers(0, 29))
def test_a_draw_depends_only_on_its_key_not_on_what_is_drawn_with_it(seed, who, week, pick):
    """Drawn alone or among others, for one person or a crowd: the same number (a pure function)."""
    streams = KeyedStreams(seed)
    together = streams.uniform("quit", np.array(who), week)
    i = pick % len(who)
    alone = KeyedStreams(seed).uniform("quit", np.array([who[i]]), week)
    assert together[i] == alone[0]
    assert ((0.0 <= together) & (together < 1.0)).all()


def test_different_seeds_purposes_weeks_and_draws_give_different_numbers():
    who = np.arange(1000)
    base = KeyedStreams(7).uniform("quit", who, 3)
    for other in (KeyedStreams(8).uniform("quit", who, 3), KeyedStreams(7).uniform("hire", who, 3),
                  KeyedStreams(7).uniform("quit", who, 4), KeyedStreams(7).uniform("quit", who, 3, draw=1)):
        assert (base != other).mean() > 0.999


def test_uniforms_are_uniform_and_normals_are_normal():
    streams = KeyedStreams(2026)
    who = np.arange(200_000)
    u = streams.uniform("test.uniform", who, 0)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > 1e-3
    z = streams.normal("test.normal", who, 0)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01


def test_draws_for_different_purposes_people_and_weeks_are_uncorrelated():
    streams = KeyedStreams(99)
    who = np.arange(100_000)
    a = streams.uniform("perception.competence", who, 10)
    pairs = {
        "another purpose": streams.uniform("perception.loyalty", who, 10),
        "the next person": streams.uniform("perception.competence", who + 1, 10),
        "the next week": streams.uniform("perception.competence", who, 11),
        "the next draw": streams.uniform("perception.competence", who, 10, draw=1),
        "the pair's second": streams.uniform_pair("perception.competence", who, 10)[1],
    }
    bound = 4.0 / np.sqrt(len(who))   # |r| of independent samples exceeds 4 sd about once in 15,000
    for name, b in pairs.items():
        assert abs(np.corrcoef(a, b)[0, 1]) < bound, name


def test_one_seed_per_organisation_of_a_batch_equals_each_run_alone():
    seeds = np.array([3, 3, 5, 2**64 - 1], dtype=np.uint64)
    who = np.array([10, 11, 10, 10])
    batch = KeyedStreams(seeds).normal("hire.competence", who, 52)
    alone = [KeyedStreams(int(s)).normal("hire.competence", np.array([w]), 52)[0] for s, w in zip(seeds, who)]
    np.testing.assert_array_equal(batch, alone)


@pytest.mark.parametrize("seed,who,week", [(-1, [0], 0), (2**64, [0], 0), (1.5, [0], 0), (0, [-1], 0),
                                           (0, [2**63], 0), (0, [0.5], 0), (0, [0], -1), (0, [0], 2**32)])
def test_out_of_range_keys_are_refused(seed, who, week):
    with pytest.raises(ValueError):
        KeyedStreams(seed).uniform("quit", np.array(who), week)
