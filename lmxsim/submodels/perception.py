"""Phase 1 (ODD 7.1) - perception: leaders see what members do, with noise that grows as contact falls.

Each week the leader observes each member's output - ``performance_avg``, the 13-week average
of performance, from which the leader's view of "competence" is built: leaders see work, not
ability - and loyalty (citizenship, effort beyond the contract). Whatever lowers output
(little effort, latitude beyond readiness, hours spent helping, a newcomer's ramp-up; see work)
therefore lowers how competent the member looks. An observation has standard deviation
``perception_noise / sqrt(contact + 0.1)``, where ``contact`` is the member's recent leader
contact in hours per week: one hour a week gives roughly the base noise, none about three times
as much. Every observation is also shifted by the leader's persistent bias for this member,
``rater_bias`` (liking through similarity, Liden, Wayne & Stilwell 1993, plus idiosyncrasy:
rater effects are the largest part of performance ratings, Scullen, Mount & Goff 2000); noise
averages out over weeks, the bias does not. Observations are ratings on the 0-1 scale, so they
are bounded to it; the leader's view moves a fraction ``perception_gain`` towards them.
"""

from __future__ import annotations

import math

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.draws import weekly


@rule
def observation_sd(contact, perception_noise):
    """sd = perception_noise / sqrt(contact + 0.1)"""
    return perception_noise / math.sqrt(contact + 0.1)


@rule
def observe(true_value, rater_bias, sd, noise):
    """observation = clip(true value + rater_bias + sd * noise, 0, 1)"""
    return min(max(true_value + rater_bias + noise * sd, 0.0), 1.0)


@rule
def update_view(view, observation, gain):
    """view += perception_gain * (observation - view)   (members present only)"""
    return view + (observation - view) * gain


def perceive(model, here) -> None:
    """Phase 1: each leader observes each member's output and loyalty and updates their view."""
    m, luck = model.members, weekly(model)
    m.perceived_competence, m.perceived_loyalty = _perceive(
        m.org, here.present, m.contact, m.performance_avg, m.citizenship, m.rater_bias, m.perceived_competence,
        m.perceived_loyalty, model.per_org("perception_noise"), model.per_org("perception_gain"),
        luck.normal("perceive.competence"), luck.normal("perceive.loyalty"))


@kernel
def _perceive(org, present, contact, performance_avg, citizenship, rater_bias, competence_view, loyalty_view,
              perception_noise, perception_gain, competence_noise, loyalty_noise):
    """The rules above for every position (into new arrays: the week can still be undone)."""
    competence, loyalty = np.empty_like(competence_view), np.empty_like(loyalty_view)
    for i in range(org.size):
        o = org[i]
        sd = observation_sd(contact[i], perception_noise[o])
        gain = perception_gain[o] * present[i]
        competence[i] = update_view(competence_view[i], observe(performance_avg[i], rater_bias[i], sd,
                                                                competence_noise[i]), gain)
        loyalty[i] = update_view(loyalty_view[i], observe(citizenship[i], rater_bias[i], sd, loyalty_noise[i]), gain)
    return competence, loyalty
