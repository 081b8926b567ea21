"""Laissez-faire: the absent leader."""

from __future__ import annotations

from lmxsim.policies.base import Decisions, Policy, PolicyView, register


@register
class LaissezFaire(Policy):
    """Be absent.

    The leader spends a fifth of the exchange time, makes no offers, and leaves members
    to themselves: latitude by neglect, assignments by chance, little contact, so the
    leader's view of members is noisy. Latitude given by absence is used only as far as
    members trust the leader, and the thin exchange builds little trust.

    Source: Bass & Avolio (1994) full-range model; Skogstad et al. (2007) on the
    destructiveness of laissez-faire leadership.
    """

    name = "laissez_faire"
    label = "Laissez-faire (absent)"
    source = "Bass & Avolio 1994; Skogstad et al. 2007"
    classifier = {"proactive": False, "differentiates": False, "uses_merit": False, "uses_similarity": False,
                  "extrinsic_rewards": False, "peer_leadership": False}

    def decide(self, view: PolicyView) -> Decisions:
        return Decisions.uniform(view, latitude=0.6, time_use=0.2)
