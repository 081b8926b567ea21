"""Distributed (shared) leadership: members lead each other through their ties."""

from __future__ import annotations

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class Distributed(Policy):
    """Share leadership with the team.

    The leader makes a team-level offer at onboarding and reviews, spends most of the
    exchange time evenly, grants wide latitude to all, and routes support through peers:
    members draw coaching from their collaboration ties. Rewards are team-based, so they
    do not crowd out intrinsic motivation as individual bonuses do.

    Source: Pearce & Conger (2003) shared leadership; Carson, Tesluk & Marrone (2007);
    Cerasoli et al. (2016) on indirectly tied incentives.
    """

    name = "distributed"
    label = "Distributed (shared) leadership"
    source = "Pearce & Conger 2003; Carson, Tesluk & Marrone 2007"
    classifier = {"proactive": True, "differentiates": False, "uses_merit": False, "uses_similarity": False,
                  "extrinsic_rewards": True, "peer_leadership": True}

    def decide(self, view: PolicyView) -> Decisions:
        renew = view.onboarding | view.review_week | (view.policy_start == view.week)
        d = Decisions.uniform(view, latitude=0.7, bonus=0.3, reward_contingency=0.0,
                              peer_leadership=0.5, time_use=0.7)
        d.offer = 0.7 * renew
        return d
