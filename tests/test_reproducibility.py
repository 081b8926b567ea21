"""Same seed, same results; different seeds, different results."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from helpers import model_args
from lmxsim import LMXModel

ARGS = dict(n_teams=4, team_size=6, weeks=40, panel_every=1, annual_base_turnover=0.5)


def _run(seed, **kw):
    return LMXModel(seed=seed, **{**ARGS, **kw}).run()


@pytest.mark.parametrize("scenario", ["default", "leader_training"])
def test_same_seed_gives_identical_model_frame_and_panel(scenario):
    a, b = _run(11, scenario=scenario), _run(11, scenario=scenario)
    pd.testing.assert_frame_equal(a.model_frame(), b.model_frame())
    pd.testing.assert_frame_equal(a.panel_frame(), b.panel_frame())
    assert len(a.panel_frame()) > 0


def test_different_seeds_give_different_runs():
    a, b = _run(11), _run(12)
    fa, fb = a.model_frame(), b.model_frame()
    assert fa.shape == fb.shape
    assert not fa.equals(fb)
    pa, pb = a.panel_frame(), b.panel_frame()
    assert not (pa.shape == pb.shape and pa.equals(pb))
    # the initial workforce itself is drawn from the seed
    assert not np.array_equal(a.members.competence, b.members.competence) or \
        not np.array_equal(a.members.similarity, b.members.similarity)


def test_runs_do_not_depend_on_global_random_state_or_on_other_models():
    np.random.seed(1)
    random.seed(1)
    alone = _run(5).model_frame()

    np.random.seed(999)
    random.seed(999)
    a, b, other = (LMXModel(seed=s, **ARGS) for s in (5, 5, 6))
    for _ in range(ARGS["weeks"]):  # interleaved stepping must not couple the models
        a.step()
        other.step()
        b.step()
    pd.testing.assert_frame_equal(a.model_frame(), alone)
    pd.testing.assert_frame_equal(b.model_frame(), alone)


def test_running_in_chunks_equals_running_at_once():
    whole = _run(3)
    chunked = LMXModel(seed=3, **ARGS)
    chunked.run(7)
    chunked.run(13)
    chunked.run()
    assert chunked.week == ARGS["weeks"]
    pd.testing.assert_frame_equal(chunked.model_frame(), whole.model_frame())
    pd.testing.assert_frame_equal(chunked.panel_frame(), whole.panel_frame())


def test_panel_setting_does_not_change_the_simulation():
    with_panel = _run(8, panel_every=1).model_frame()
    without = _run(8, panel_every=0).model_frame()
    pd.testing.assert_frame_equal(with_panel, without)


def test_lazy_member_agents_do_not_change_the_simulation():
    eager = _run(8, member_agents=True)
    lazy = _run(8, member_agents=False)
    pd.testing.assert_frame_equal(eager.model_frame(), lazy.model_frame())
    pd.testing.assert_frame_equal(eager.panel_frame(), lazy.panel_frame())
    assert sorted(a.person_id for a in lazy.member_agents()) == \
        sorted(a.person_id for a in eager.member_agents())


@settings(max_examples=15)
@given(model_args(panel_every=st.sampled_from([0, 1, 3])))
def test_same_seed_reproduces_any_valid_configuration(args):
    note(repr(args))
    a, b = LMXModel(**args).run(), LMXModel(**args).run()
    pd.testing.assert_frame_equal(a.model_frame(), b.model_frame())
    pd.testing.assert_frame_equal(a.panel_frame(), b.panel_frame())


def test_compare_and_validate_give_the_same_numbers_with_one_or_two_workers():
    from lmxsim.compare import compare
    from lmxsim.parallel import local_pool
    from lmxsim.validation import simulate

    policies = ["reactive_in_crowd", "proactive_deal"]
    cmp_kw = dict(seeds=2, root_seed=4, overrides={"n_teams": 2, "weeks": 20})
    val_kw = dict(seeds=2, members=20, weeks=30, root_seed=4)
    one, v_one = compare(policies, **cmp_kw), simulate(**val_kw)
    with local_pool(2) as pool:
        two, v_two = compare(policies, executor=pool, **cmp_kw), simulate(executor=pool, **val_kw)
    pd.testing.assert_frame_equal(one.runs, two.runs, check_exact=True)
    pd.testing.assert_frame_equal(one.weekly, two.weekly, check_exact=True)
    for a, b in zip(v_one, v_two):
        assert (a.seed, a.replicate, a.quits_by_tenure) == (b.seed, b.replicate, b.quits_by_tenure)
        for name in ("panel", "reactive", "proactive", "promise_effects", "training"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert len(v_one[0].training) > 0 and v_one[0].seed != v_one[1].seed


_FINGERPRINT = """
import hashlib, sys
import numpy as np
from lmxsim.engine import OrgSpec, run_batch
from lmxsim.params import Params
from lmxsim.scenarios import get_scenario

preset, h = get_scenario("default"), hashlib.sha256()
from lmxsim.policies import policy_names

# every policy; parameters differ between the organisations (so they are arrays), with values where
# numpy's AVX-512 pow (26 weeks) and log1p (0.45) are a last bit off the C library's
half_lives, turnovers = [13.0, 26.0, 41.7], [0.3, 0.15, 0.45]
specs = [OrgSpec(policy, Params(n_teams=6, team_size=8, weeks=60, clarity_half_life_weeks=half_lives[seed % 3],
                                scar_half_life_weeks=half_lives[(seed + 1) % 3], annual_base_turnover=turnovers[seed % 3]),
                 seed, preset)
         for seed, policy in enumerate(policy_names())]
for frame in run_batch(specs):
    h.update(frame.to_csv().encode())
print(h.hexdigest())
"""


def test_numbers_do_not_depend_on_the_cpus_vector_instructions():
    """numpy 2 has exp, log, log1p and pow of its own for AVX-512 CPUs, a last bit off the C
    library's for 0.01-8% of inputs: the same seed gave different runs on different machines (and
    a batch's numbers could depend on the Dask worker it ran on). The model leaves such functions
    of arrays to compiled rules and Python's math; here a run with numpy's vector code paths turned
    off (NPY_DISABLE_CPU_FEATURES) must give the same numbers as one with them on."""
    import os
    import subprocess
    import sys

    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:   # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    present = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    if not present:
        pytest.skip("this CPU runs none of numpy's optional vector code paths")

    def fingerprint(env_extra):
        out = subprocess.run([sys.executable, "-c", _FINGERPRINT], capture_output=True, text=True, timeout=300,
                             env={**os.environ, **env_extra})
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert fingerprint({}) == fingerprint({"NPY_DISABLE_CPU_FEATURES": " ".join(present)})
