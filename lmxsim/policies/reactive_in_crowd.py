"""Reactive in-crowd: invest in the few who have already proved themselves."""

from __future__ import annotations

import numpy as np

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class ReactiveInCrowd(Policy):
    """Wait for proof, then favour the few.

    The leader watches for competence and loyalty; at each review the members whose
    perceived score passes the proof threshold join the in-group, up to the number of
    high-quality exchanges the leader's hours can sustain. The in-group gets most of the
    exchange time, wide latitude, the important assignments and an explicit offer (made when
    they join it and renewed after each review); the
    rest get a thin, contractual exchange supervised by authority.

    Source: Dansereau, Graen & Haga (1975) vertical dyad linkage; Liden & Graen (1980);
    Graen & Uhl-Bien (1995) describe it as the default "in-group / out-group" pattern.
    """

    name = "reactive_in_crowd"
    label = "Reactive in-crowd"
    source = "Dansereau, Graen & Haga 1975; Graen & Uhl-Bien 1995"
    classifier = {"proactive": False, "differentiates": True, "uses_merit": True, "uses_similarity": False,
                  "extrinsic_rewards": False, "peer_leadership": False}

    # the constants of the policy (lmxsim.audit.constants_band sweeps each by +/- 0.2)
    out_group_time_weight = 0.15
    in_group_latitude = 0.8
    out_group_latitude = 0.3
    promise = 0.45   # what the in-group's deal announces (delivered-value units)

    def score(self, view: PolicyView) -> np.ndarray:
        """What the leader ranks members on when forming the in-group."""
        return view.perceived_score

    def decide(self, view: PolicyView) -> Decisions:
        ig = view.in_group
        # the first week after a review (the in-group was just formed), or under a new policy
        renew = ((view.week - 1) % view.params.review_interval_weeks == 0) | (view.policy_start == view.week)
        return Decisions(
            time_weight=np.where(ig, 1.0, self.out_group_time_weight),
            offer=(ig & renew).astype(float),
            promise=self.promise,
            latitude=np.where(ig, self.in_group_latitude, self.out_group_latitude),
            assignment_priority=self.score(view) + ig,
        )

    def in_group(self, view: PolicyView) -> np.ndarray:
        proven = view.occupied & (self.score(view) >= view.params.in_group_threshold)
        return view.top_k(self.score(view), view.in_group_capacity, mask=proven)
