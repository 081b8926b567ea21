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

import numpy as np

from lmxsim.draws import weekly


def observation_sd(contact: np.ndarray, perception_noise: float) -> np.ndarray:
    """sd = perception_noise / sqrt(contact + 0.1)"""
    return perception_noise / np.sqrt(contact + 0.1)


def observe(true_value, rater_bias, sd, noise) -> np.ndarray:
    """observation = clip(true value + rater_bias + sd * noise, 0, 1)"""
    return np.clip(true_value + rater_bias + noise * sd, 0.0, 1.0)


def update_view(view, observation, gain) -> np.ndarray:
    """view += perception_gain * (observation - view)   (members present only)"""
    return view + (observation - view) * gain


def perceive(model, here) -> None:
    m, p, luck = model.members, model.params, weekly(model)
    sd = observation_sd(m.contact, p.perception_noise)
    gain = p.perception_gain * here.present
    seen = observe(m.performance_avg, m.rater_bias, sd, luck.normal("perceive.competence"))
    m.perceived_competence = update_view(m.perceived_competence, seen, gain)
    seen = observe(m.citizenship, m.rater_bias, sd, luck.normal("perceive.loyalty"))
    m.perceived_loyalty = update_view(m.perceived_loyalty, seen, gain)
