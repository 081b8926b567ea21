"""The batch engine: every organisation of a batch gets exactly the numbers it gets alone.

A batch mixes policies, scenario-free parameter changes (design points), organisation sizes
and seeds; each organisation's weekly frame, promise log and cohort outcomes must equal, to
the last bit, those of the same organisation run alone as an ``LMXModel`` - for every
built-in policy and every scenario preset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmxsim import LMXInputError, LMXModel
from lmxsim.engine import Engine, OrgSpec, run_batch
from lmxsim.params import Params
from lmxsim.policies import policy_names
from lmxsim.runs import RunTask, _run_alone, plan_batches, run_tasks
from lmxsim.scenarios import get_scenario, scenario_names


def _specs(preset_name: str, weeks: int = 40):
    preset = get_scenario(preset_name)
    specs = []
    for i, policy in enumerate(policy_names()):
        changes = dict(weeks=weeks, n_teams=3 + i % 3, team_size=5 + i % 4)
        if i % 2:
            changes.update(trust_gain=0.2, idea_rate=1.5)   # another design point
        specs.append(OrgSpec(policy, Params(**{**preset.overrides, **changes}), 900 + 7 * i, preset))
    return specs


@pytest.mark.parametrize("preset", scenario_names())
def test_each_organisation_of_a_batch_equals_itself_run_alone(preset):
    specs = _specs(preset)
    frames = run_batch(specs)
    for spec, frame in zip(specs, frames):
        overrides = {k: getattr(spec.params, k) for k in ("weeks", "n_teams", "team_size", "trust_gain", "idea_rate")}
        alone = LMXModel(policy=spec.policy, preset=preset, seed=spec.seed, panel_every=0, **overrides).run()
        pd.testing.assert_frame_equal(alone.model_frame(), frame, check_dtype=False, check_exact=True)


def test_a_batch_of_one_is_the_model():
    spec = _specs("default", weeks=30)[0]
    model = LMXModel(policy=spec.policy, seed=spec.seed, panel_every=0, weeks=30, n_teams=spec.params.n_teams,
                     team_size=spec.params.team_size).run()
    (frame,) = run_batch([spec])
    pd.testing.assert_frame_equal(model.model_frame(), frame, check_dtype=False, check_exact=True)


def test_organisations_do_not_depend_on_their_neighbours_in_the_batch():
    specs = _specs("default", weeks=30)
    together = run_batch(specs)
    reordered = run_batch(specs[::-1])[::-1]
    for a, b in zip(together, reordered):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    # a different neighbour (another seed) changes nothing either
    other = run_batch([specs[0], OrgSpec(specs[1].policy, specs[1].params, 12345, specs[1].preset)])
    pd.testing.assert_frame_equal(together[0], other[0], check_exact=True)


def test_run_tasks_in_batches_equals_tasks_run_alone_with_switches_cohorts_and_promises():
    keep = ("outcomes", "cohort_outcomes", "weekly", "promise_effects")
    tasks = [RunTask(policy, 31 + i, scenario, {"weeks": 56, "n_teams": 4, "team_size": 6}, keep,
                     switch=(26, "proactive_deal") if i % 2 else None)
             for i, policy in enumerate(policy_names()) for scenario in ("default", "hiring_wave")]
    assert len(plan_batches(tasks)) == 2   # one per scenario
    for task, result in zip(tasks, run_tasks(tasks)):
        alone = _run_alone(task, result.index)
        pd.testing.assert_frame_equal(alone.weekly, result.weekly, check_dtype=False, check_exact=True)
        pd.testing.assert_frame_equal(alone.promise_effects, result.promise_effects, check_exact=True)
        assert alone.outcomes.keys() == result.outcomes.keys()
        for name, value in alone.outcomes.items():
            assert value == result.outcomes[name] or (np.isnan(value) and np.isnan(result.outcomes[name])), name


def test_batches_are_planned_by_scenario_and_horizon_within_a_size_budget():
    tasks = [RunTask("reactive_in_crowd", s, "default", {"weeks": 10}) for s in range(6)]
    tasks += [RunTask("reactive_in_crowd", 1, "default", {"weeks": 11}),
              RunTask("reactive_in_crowd", 1, "remote_team", {"weeks": 10}),
              RunTask("reactive_in_crowd", 1, "default", {"weeks": 10}, ("panel",))]
    batches = plan_batches(tasks)
    assert sorted(map(sorted, batches)) == [[0, 1, 2, 3, 4, 5], [6], [7], [8]]
    assert len(plan_batches(tasks[:6], workers=2)) == 2   # work for both workers
    for batch in batches:
        assert len({(tasks[i].scenario, dict(tasks[i].params)["weeks"]) for i in batch}) == 1


@pytest.mark.parametrize("runs, workers, expected", [
    (350, 1, [350]), (350, 2, [175, 175]), (1400, 1, [467, 466, 467]), (1400, 2, [350] * 4),
    (1400, 3, [467, 466, 467]), (2000, 3, [333, 334, 333, 333, 334, 333]), (7, 2, [3, 4]), (1, 4, [1])])
def test_batches_are_equal_and_as_many_as_a_multiple_of_the_workers(runs, workers, expected, monkeypatch):
    """Every worker gets the same work: no batch of leftovers that one worker runs after the others
    are done (1,400 runs of 200 members on 2 workers: 4 x 350, not 500 + 500 + 400)."""
    import lmxsim.runs
    monkeypatch.setattr(lmxsim.runs, "BATCH_POSITIONS", 100_000)
    tasks = [RunTask("proactive_deal", seed) for seed in range(runs)]   # 200 members each
    batches = plan_batches(tasks, workers)
    assert [len(b) for b in batches] == expected
    assert sorted(i for b in batches for i in b) == list(range(runs))


def test_inside_a_batch_each_policy_is_one_block_of_organisations():
    """Tasks come seed by seed (every policy of seed 0, then of seed 1, ...); a batch puts the
    organisations of one policy next to each other, so each policy's positions are one block."""
    tasks = [RunTask(policy, seed, "default", {"weeks": 5, "n_teams": 2, "team_size": 3})
             for seed in range(4) for policy in ("reactive_in_crowd", "proactive_deal", "laissez_faire")]
    for workers in (1, 2):
        batches = plan_batches(tasks, workers)
        assert sorted(i for batch in batches for i in batch) == list(range(len(tasks)))
        for batch in batches:
            order = [tasks[i].policy for i in batch]
            assert order == sorted(order) and len(set(order)) == 3
    engine = Engine([OrgSpec(tasks[i].policy, Params(**dict(tasks[i].params)), tasks[i].seed, get_scenario("default"))
                     for i in plan_batches(tasks)[0]])
    for _, positions in engine.positions_by_policy():
        assert positions[-1] - positions[0] + 1 == len(positions)


@pytest.mark.parametrize("field, change", [("preset", "remote_team"), ("weeks", 12)])
def test_a_batch_mixing_presets_or_horizons_is_refused(field, change):
    a = OrgSpec("reactive_in_crowd", Params(weeks=10), 1, get_scenario("default"))
    b = (OrgSpec("reactive_in_crowd", Params(weeks=10), 2, get_scenario(change)) if field == "preset"
         else OrgSpec("reactive_in_crowd", Params(weeks=change), 2, get_scenario("default")))
    with pytest.raises(LMXInputError, match=field):
        Engine([a, b])


def _people(model):
    """(slot, serial) -> the person's stable traits, for everyone who has worked there."""
    m = model.members
    seen = {}
    for i in np.flatnonzero(m.occupied):
        seen[(int(m.slot[i]), int(m.serial[i]))] = (m.competence[i] if m.hire_week[i] == model.week else None,
                                                    m.creativity_trait[i], m.mobility[i], m.affectivity[i],
                                                    m.conscientiousness[i])
    return seen


def test_the_same_desk_gets_the_same_people_and_luck_under_every_policy():
    """Common random numbers by person: the k-th occupant of a desk has the same traits under
    every policy, whenever they are hired; and a person's weekly draws do not depend on the policy."""
    runs = {}
    for policy in ("reactive_in_crowd", "proactive_deal", "laissez_faire"):
        model = LMXModel(policy=policy, seed=4, n_teams=6, team_size=8, annual_base_turnover=0.6, panel_every=0)
        people = {}
        for _ in range(80):
            model.step()
            for key, traits in _people(model).items():
                people.setdefault(key, traits[1:])
        runs[policy] = people
    shared = set.intersection(*(set(p) for p in runs.values()))
    assert len(shared) > 60 and any(serial > 0 for _, serial in shared)   # newcomers too
    for key in shared:
        assert len({runs[policy][key] for policy in runs}) == 1, key
    # the same person's luck in the same week: the quit uniforms of desk 0's first occupant
    from lmxsim.draws import person_keys
    a = LMXModel(policy="reactive_in_crowd", seed=4, n_teams=2, team_size=4)
    b = LMXModel(policy="proactive_deal", seed=4, n_teams=2, team_size=4)
    key = person_keys(np.array([0]), np.array([0]))
    for week in (1, 7, 30):
        assert (a.streams.uniform("quit", key, week, org=np.zeros(1, np.int64))
                == b.streams.uniform("quit", key, week, org=np.zeros(1, np.int64))).all()
    # and the leaders' traits and week-0 organisation are the same
    assert np.array_equal(a.leaders.similarity_trait, b.leaders.similarity_trait)
    assert (a.ties != b.ties).nnz == 0


def test_a_rule_on_arrays_gives_the_bits_of_its_plain_numpy_expression():
    """Rules are compiled scalar functions (lmxsim._structure.rule); elementwise() applies one to
    numpy arrays with the same operations in the same order, so the same bits as the expression
    (``exp`` as the C library's, ``math.exp``: numpy 2 on an AVX-512 CPU has an exp of its own
    that differs in the last bit for some inputs)."""
    import math

    from lmxsim._structure import elementwise
    from lmxsim.submodels.exchange import support
    from lmxsim.submodels.work import citizenship

    rng = np.random.default_rng(11)
    hours, scale, present = rng.random(1000) * 20, rng.random(1000) * 5 + 0.1, rng.random(1000) < 0.9
    expected = [(1.0 - math.exp(-h / s)) * p for h, s, p in zip(hours.tolist(), scale.tolist(), present.tolist())]
    assert np.array_equal(elementwise(support)(hours, scale, present), expected)
    lmx, consc, clarity, engagement = rng.random((4, 1000))
    assert np.array_equal(elementwise(citizenship)(lmx, consc, clarity, engagement),
                          (0.15 * lmx + 0.25 + 0.45 * consc + 0.15 * clarity) * engagement)
    assert support(2.0, 4.0, 1.0) == (1.0 - np.exp(-0.5))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), n_ties=st.integers(0, 120), seed=st.integers(0, 2**32 - 1))
def test_means_over_collaborators_are_scipys_sums_over_the_tie_matrix(n, n_ties, seed):
    """Workforce sums over ties in a compiled loop that skips the matrix's ones; its numbers are
    scipy's ``ties @ (values * present)`` to the bit, for every row and for a subset of rows."""
    from lmxsim._structure import Workforce
    from lmxsim.organisation import adjacency

    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, n, n_ties), rng.integers(0, n, n_ties)
    keep = u != v
    ties = adjacency(n, u[keep], v[keep])
    occupied = rng.random(n) < 0.8
    here = Workforce(np.zeros(n, dtype=np.int32), occupied, 1, ties, np.zeros(n, dtype=np.int64), 1)
    values = rng.normal(size=n) * 10 ** rng.uniform(-3, 3, n)
    present = occupied.astype(float)
    count = ties @ present
    assert np.array_equal(here.collaborators(), count)
    expected = np.divide(ties @ (values * present), count, out=np.full(n, -1.0), where=count > 0)
    assert np.array_equal(here.neighbour_mean(values, default=-1.0), expected)
    at = np.flatnonzero(rng.random(n) < 0.5)
    assert np.array_equal(here.neighbour_mean(values, default=-1.0, at=at), expected[at])


@settings(max_examples=60, deadline=None)
@given(orgs=st.lists(st.integers(0, 5), min_size=0, max_size=60), seed=st.integers(0, 2**32 - 1))
def test_organisation_totals_are_bincounts_in_any_order_of_positions(orgs, seed):
    """Per-organisation totals keep a running sum per run of positions; their numbers are
    np.bincount's (the same additions in position order), however the organisations interleave."""
    from lmxsim._structure import Workforce
    from lmxsim.organisation import adjacency

    org = np.array(orgs, dtype=np.int64)
    n, n_orgs = len(org), 6
    rng = np.random.default_rng(seed)
    occupied = rng.random(n) < 0.8
    here = Workforce(np.zeros(n, dtype=np.int32), occupied, 1, adjacency(n, org[:0], org[:0]), org, n_orgs)
    values = rng.normal(size=n) * 10 ** rng.uniform(-3, 3, n)
    assert np.array_equal(here.org_total(values), np.bincount(org, weights=values, minlength=n_orgs))
    heads = np.bincount(org, weights=occupied.astype(float), minlength=n_orgs)
    mean = np.bincount(org, weights=values * occupied, minlength=n_orgs) / np.where(heads > 0, heads, np.nan)
    assert np.array_equal(here.org_mean(values), mean, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 40), max_size=20), st.integers(0, 30), st.integers(0, 15))
def test_one_block_reads_what_indexing_reads_and_copies_nothing_when_it_can(scattered, start, length):
    from lmxsim._structure import one_block
    values = np.arange(60.0) * 1.5
    for positions in (np.array(sorted(scattered), dtype=np.int64), np.arange(start, start + length)):
        at = one_block(positions)
        np.testing.assert_array_equal(values[at], values[positions])
        follows = len(positions) > 0 and positions[-1] - positions[0] + 1 == len(positions)
        assert isinstance(at, slice) == follows
        assert np.shares_memory(values[at], values) == follows


def test_changed_parameters_reach_the_compiled_passes():
    """change_params (the workshop's "going remote") changed what numpy rules read, but the compiled
    passes kept reading the cached per-organisation value: contact counted fully after going remote."""
    from lmxsim.engine import Engine, OrgSpec
    from lmxsim.params import Params
    from lmxsim.scenarios import get_scenario
    engine = Engine([OrgSpec("proactive_deal", Params(n_teams=2, team_size=4, weeks=10), 1, get_scenario("default"))])
    engine.step()
    assert engine.per_org("contact_efficiency").tolist() == [1.0]
    engine.change_params(contact_efficiency=0.5, scar_half_life_weeks=10)
    assert engine.per_org("contact_efficiency").tolist() == [0.5]
    assert engine.per_org("scar_half_life_weeks", of=lambda h: 0.5 ** (1 / h)).tolist() == [0.5 ** 0.1]
    engine.step()
