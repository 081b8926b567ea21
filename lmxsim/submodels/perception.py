"""Phase 1 - perception: leaders observe members through noise that grows as contact shrinks.

Each week the leader observes each member's competence and loyalty (effort beyond the
contract). An observation has standard deviation
``perception_noise / sqrt(contact + 0.1)``, where ``contact`` is the member's recent
leader contact in hours per week: one hour a week gives roughly the base noise, no
contact about three times as much. Every observation is also shifted by the leader's
persistent bias for this member, ``rater_bias`` (liking through similarity, Liden, Wayne &
Stilwell 1993, plus idiosyncrasy: rater effects are the largest part of performance
ratings, Scullen, Mount & Goff 2000); noise averages out over weeks, the bias does not. The leader's
view moves a fraction ``perception_gain`` towards the observation. Observations are
ratings on the 0-1 scale, so they are bounded to it.
"""

from __future__ import annotations

import numpy as np


def observation_sd(contact: np.ndarray, perception_noise: float) -> np.ndarray:
    return perception_noise / np.sqrt(contact + 0.1)


def perceive(model) -> None:
    m, p, rng = model.members, model.params, model.rng
    n = m.capacity
    sd = m.contact + 0.1
    np.sqrt(sd, out=sd)
    np.divide(p.perception_noise, sd, out=sd)      # observation_sd(m.contact, p.perception_noise)
    gain = p.perception_gain * model.occupancy().f
    for true_value, view in ((m.competence, m.perceived_competence), (m.citizenship, m.perceived_loyalty)):
        obs = true_value + m.rater_bias
        noise = rng.standard_normal(n)
        noise *= sd
        obs += noise
        np.clip(obs, 0.0, 1.0, out=obs)
        obs -= view
        obs *= gain
        view += obs
