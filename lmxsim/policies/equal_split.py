"""Equal split ("sameness"): identical treatment for every member."""

from __future__ import annotations

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class EqualSplit(Policy):
    """Treat everyone exactly the same.

    Every member gets the same share of time and the same moderate latitude; important
    assignments rotate at random; no individual offer is made. Fairness is not sameness:
    the capable get too little latitude and the struggling too little coaching.

    Source: Graen & Uhl-Bien (1995) and Liden et al. (2006) on differentiation;
    the "average leadership style" baseline of pre-LMX leadership research.
    """

    name = "equal_split"
    label = "Equal split (sameness)"
    source = "Graen & Uhl-Bien 1995; Liden et al. 2006"
    classifier = {"proactive": False, "differentiates": False, "uses_merit": False, "uses_similarity": False,
                  "extrinsic_rewards": False, "peer_leadership": False}

    def decide(self, view: PolicyView) -> Decisions:
        return Decisions.uniform(view, latitude=0.5)
