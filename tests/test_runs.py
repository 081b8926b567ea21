"""The one run pipeline (lmxsim.runs): the replication seed scheme, results in task order that
depend only on the task (whatever runs beside it and whoever runs it), policy switches, and
collecting only what a task asks for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmxsim import LMXModel
from lmxsim.errors import LMXInputError
from lmxsim.outcomes import COHORT_OUTCOMES
from lmxsim.runs import RunTask, replication_seeds, run_tasks

SMALL = {"n_teams": 2, "team_size": 4, "weeks": 12}


def _tasks():
    return [RunTask(policy, seed, params=SMALL, collect=("outcomes", "weekly"))
            for seed in replication_seeds(3, 2) for policy in ("reactive_in_crowd", "proactive_deal")]


def _assert_same(a, b):
    assert a.task == b.task
    assert a.outcomes == pytest.approx(b.outcomes, nan_ok=True, rel=0, abs=0)
    pd.testing.assert_frame_equal(a.weekly, b.weekly, check_exact=True)


# ----------------------------------------------------------------------------- seeds
def test_replication_seeds_are_the_63_bit_seed_sequence_children_of_the_root_seed():
    seeds = replication_seeds(7, 5)
    children = np.random.SeedSequence(7).spawn(5)
    assert seeds == [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in children]
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)
    assert len(set(seeds)) == 5
    assert replication_seeds(7, 5) == seeds                # deterministic
    assert replication_seeds(7, 12)[:5] == seeds           # replication r does not depend on how many
    assert not set(replication_seeds(8, 5)) & set(seeds)   # another root, other seeds
    assert len(replication_seeds(2**64 - 1, 2)) == 2 and replication_seeds(0, 0) == []


@pytest.mark.parametrize("root", [-1, 1.5, True, "3", None])
def test_replication_seeds_refuse_a_root_seed_that_is_not_a_whole_number(root):
    with pytest.raises(LMXInputError, match="root_seed"):
        replication_seeds(root, 2)


# ----------------------------------------------------------------------------- running
@pytest.fixture(scope="module")
def in_process():
    return list(run_tasks(_tasks()))


def test_results_come_in_task_order_and_depend_only_on_the_task(in_process):
    tasks = _tasks()
    assert [r.task for r in in_process] == tasks and [r.index for r in in_process] == list(range(len(tasks)))
    assert in_process[0].weekly.week.max() == SMALL["weeks"]
    reversed_results = list(run_tasks(tasks[::-1]))
    for result, again in zip(in_process, reversed_results[::-1]):
        _assert_same(result, again)
    (alone,) = run_tasks([tasks[3]])
    _assert_same(in_process[3], alone)
    # different seeds or policies do give different runs
    assert not in_process[0].weekly.equals(in_process[2].weekly)
    assert not in_process[0].weekly.equals(in_process[1].weekly)


def test_two_worker_processes_give_the_results_of_one_process_in_order_or_as_finished(in_process):
    tasks = _tasks()
    pooled = list(run_tasks(tasks, workers=2))
    for a, b in zip(in_process, pooled):
        _assert_same(a, b)
    from lmxsim.parallel import local_pool

    with local_pool(2) as pool:
        finished = list(run_tasks(tasks, executor=pool, ordered=False))
    assert sorted(r.index for r in finished) == list(range(len(tasks)))
    for result in finished:
        _assert_same(in_process[result.index], result)


def test_a_switch_is_every_leader_adopting_the_policy_after_that_week():
    (switched,) = run_tasks([RunTask("reactive_in_crowd", 5, params=SMALL, collect=("weekly",),
                                     switch=(4, "proactive_deal"))])
    by_hand = LMXModel(policy="reactive_in_crowd", seed=5, panel_every=0, member_agents=False, **SMALL)
    by_hand.run(4)
    by_hand.set_policy("proactive_deal")
    by_hand.run()
    pd.testing.assert_frame_equal(switched.weekly, by_hand.model_frame(), check_exact=True)
    (control,) = run_tasks([RunTask("reactive_in_crowd", 5, params=SMALL, collect=("weekly",))])
    pd.testing.assert_frame_equal(switched.weekly.iloc[:5], control.weekly.iloc[:5])
    assert not switched.weekly.iloc[5:].equals(control.weekly.iloc[5:])


def test_a_task_keeps_only_what_it_collects():
    params = {**SMALL, "weeks": 52}
    weekly, panel, cohort = run_tasks([
        RunTask("reactive_in_crowd", 1, params=params, collect=("weekly",)),
        RunTask("reactive_in_crowd", 1, params=params, collect=("panel", "promise_effects"), panel_every=4),
        RunTask("reactive_in_crowd", 1, params=params, collect=("outcomes", "cohort_outcomes")),
    ])
    assert weekly.outcomes is None and weekly.panel is None and weekly.promise_effects is None
    assert len(weekly.weekly) == 53
    assert panel.weekly is None and panel.outcomes is None
    assert set(panel.panel.week) == set(range(4, 53, 4)) and len(panel.promise_effects) == 52
    assert set(COHORT_OUTCOMES) <= set(cohort.outcomes) and "mean_lmx" in cohort.outcomes
    assert np.isfinite([cohort.outcomes[k] for k in COHORT_OUTCOMES]).all()


def test_a_task_refuses_what_it_cannot_collect_or_a_negative_switch_week():
    with pytest.raises(LMXInputError, match="collect"):
        RunTask("reactive_in_crowd", 1, collect=("outcomes", "everything"))
    with pytest.raises(LMXInputError, match="switch"):
        RunTask("reactive_in_crowd", 1, switch=(-1, "proactive_deal"))
    assert RunTask("reactive_in_crowd", 1, params={"weeks": 3}).params == (("weeks", 3),)


def test_batches_are_cut_for_as_many_workers_as_the_pool_has(monkeypatch):
    """A local pool says how many workers it has (cut for 2 before, whatever its size: on 8
    cores, 350 runs went to 2 batches and 6 workers waited); another executor gets at least 2."""
    from concurrent.futures import Executor, Future

    from lmxsim import runs
    from lmxsim.parallel import local_pool
    from lmxsim.validation import _WithFactPolicies

    class Inline(Executor):
        def submit(self, fn, /, *args, **kwargs):
            future = Future()
            future.set_result(fn(*args, **kwargs))
            return future

    class Sized(Inline):
        workers = 3

    cut_for = []
    plan = runs.plan_batches
    monkeypatch.setattr(runs, "plan_batches", lambda tasks, workers=1: cut_for.append(workers) or plan(tasks, workers))
    tasks = [RunTask("proactive_deal", seed, "default", {"n_teams": 1, "team_size": 4, "weeks": 3})
             for seed in range(6)]
    for executor in (Inline(), Sized(), _WithFactPolicies(Sized())):
        assert len(list(runs.run_tasks(tasks, executor))) == 6
    with local_pool(3) as pool:
        assert pool.workers == 3
    assert cut_for == [2, 3, 3]
    assert len(plan(tasks, 3)) == 3   # six tasks: a batch for each of 3 workers


# ----------------------------------------------------------------------------- how workers start

def test_workers_are_forked_from_a_single_threaded_process_on_linux_and_spawned_otherwise(monkeypatch):
    import sys
    import threading

    from lmxsim import parallel

    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)   # a command line, a script
    assert parallel.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    monkeypatch.undo()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        # a thread of ours might hold a lock a forked child would never see released
        assert threading.active_count() > 1 and parallel.start_method() == "spawn"
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_forked_and_spawned_workers_give_the_results_of_one_process(in_process, method, monkeypatch):
    import sys

    from lmxsim import parallel

    if method == "fork" and not sys.platform.startswith("linux"):
        pytest.skip("fork is used on Linux only")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    monkeypatch.setattr(sys.modules[__name__], "_SET_IN_THE_PARENT", True)
    with parallel.local_pool(2) as pool:
        seen = set(pool.map(_parent_state_seen, range(4)))
        pooled = list(run_tasks(_tasks(), executor=pool))
    for a, b in zip(in_process, pooled):
        _assert_same(a, b)
    assert seen == {method == "fork"}   # a forked worker has the parent's memory; a spawned one imported this module afresh


_SET_IN_THE_PARENT = False


def _parent_state_seen(_):
    return _SET_IN_THE_PARENT
