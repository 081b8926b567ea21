"""The lever audit (issue 12): no lever is free, and no lazy policy wins everywhere.

Constant extreme policies (lmxsim.audit: every decision lever at an extreme, alone and combined)
run against the seven named policies on the same seeds in six regimes. If any of them beat every
named policy on every headline outcome in every regime, the model's answer would rest on a free
lever; and for every lever but the leader's total time there must be a regime where more of it
hurts a headline outcome.
"""

import pytest

from lmxsim import audit


@pytest.fixture(scope="module")
def frame():
    return audit.run_audit(seeds=3, weeks=156)


def test_the_audit_covers_every_lever_in_at_least_five_regimes(frame):
    assert len(audit.REGIMES) >= 5
    assert set(frame.regime) == set(audit.REGIMES)
    assert set(frame.policy) == set(audit.NAMED) | set(audit.EXTREME_NAMES)
    levers = {k for e in audit.EXTREMES for k in e.levers}
    assert levers >= {"latitude", "time_use", "focus", "offer", "promise", "bonus", "reward_contingency",
                      "reward_basis", "peer_leadership"}


def test_no_extreme_policy_beats_every_named_policy_everywhere(frame):
    assert audit.winners(frame) == []


@pytest.mark.parametrize("lever", [lever for lever in audit.LEVERS if lever != "time_use"])
def test_more_of_every_lever_hurts_a_headline_outcome_somewhere(frame, lever):
    effects = audit.lever_effects(frame)
    assert effects[(effects.lever == lever)].hurts.any(), lever


def test_unready_latitude_and_an_absent_leader_lose_on_turnover_in_every_regime(frame):
    m = audit.means(frame)["annual_turnover"]
    for regime in audit.REGIMES:
        assert m[(regime, "extreme_latitude_1")] > m[(regime, "equal_split")], regime
        assert m[(regime, "extreme_absent_latitude")] > m[(regime, "equal_split")], regime


def test_winners_finds_a_policy_that_wins_everywhere():
    """The check itself can fail: a frame where one extreme is best on everything is caught."""
    import pandas as pd
    rows = []
    for regime in ("a", "b"):
        for policy, good in (("reactive_in_crowd", 0.0), ("proactive_deal", 0.1), ("extreme_latitude_1", 1.0)):
            rows.append({"regime": regime, "policy": policy, "replicate": 0,
                         **{k: good * sign for k, sign in audit.HEADLINE.items()}})
    assert audit.winners(pd.DataFrame(rows)) == ["extreme_latitude_1"]
