"""Proactive "deal with everyone": offer a high-quality exchange to every member."""

from __future__ import annotations


import numpy as np

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class ProactiveDeal(Policy):
    """Make the deal with everyone, and widen it as members deliver.

    The leader initiates an explicit exchange offer with every member - at onboarding,
    when the policy is adopted, and again at each quarterly review. Exchange time goes
    where relationships are young or weak; latitude grows with the leader's view of the
    member's competence, so members who deliver get more room; the important assignments go to the most capable, with room for
    others to get a chance.

    Source: Graen, Novak & Sommerkamp (1982) and Scandura & Graen (1984) LMX training
    field experiments; Graen & Uhl-Bien (1995) "leadership making".
    """

    name = "proactive_deal"
    label = "Proactive deal with everyone"
    source = "Graen, Novak & Sommerkamp 1982; Scandura & Graen 1984; Graen & Uhl-Bien 1995"
    classifier = {"proactive": True, "differentiates": False, "uses_merit": True, "uses_similarity": False,
                  "extrinsic_rewards": False, "peer_leadership": False}

    # the constants of the policy (lmxsim.audit.constants_band sweeps each by +/- 0.2)
    promise = 0.45            # what the deal announces (delivered-value units)
    base_latitude = 0.3       # latitude for a member the leader sees as incapable
    latitude_per_view = 0.6   # more latitude per unit of perceived competence
    chance = 0.3              # weight of chance in who gets the important assignments

    def decide(self, view: PolicyView) -> Decisions:
        renew = view.onboarding | view.review_week | (view.policy_start == view.week)
        need = 1.0 + (1.0 - view.lmx) + view.onboarding
        return Decisions(
            time_weight=need,
            offer=renew.astype(float),
            promise=self.promise,
            latitude=np.clip(self.base_latitude + self.latitude_per_view * view.perceived_competence, 0.0, 1.0),
            assignment_priority=view.perceived_score + self.chance * view.rng.random(len(view.team)),
        )
