"""Transactional: contract and bonus only."""

from __future__ import annotations

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class Transactional(Policy):
    """Manage by contract and individual performance bonus.

    The leader spends half the exchange time, evenly, on monitoring; grants little
    latitude; gives the important assignments to the members it sees as most competent; and pays
    a salient bonus tied to individual performance. Extrinsic rewards lift routine effort
    but crowd out the intrinsic motivation creative work needs.

    Source: Bass (1985) transactional leadership; Cerasoli, Nicklin & Ford (2014) and
    Cerasoli, Nicklin & Nassrelgrgawi (2016) on incentives and intrinsic motivation.
    """

    name = "transactional"
    label = "Transactional (contract and bonus)"
    source = "Bass 1985; Cerasoli et al. 2014, 2016"
    classifier = {"proactive": False, "differentiates": False, "uses_merit": True, "uses_similarity": False,
                  "extrinsic_rewards": True, "peer_leadership": False}

    def decide(self, view: PolicyView) -> Decisions:
        return Decisions.uniform(view, latitude=0.2, bonus=1.0, reward_contingency=1.0, time_use=0.5,
                                 assignment_priority=view.perceived_competence)
