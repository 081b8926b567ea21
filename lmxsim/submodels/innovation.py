"""Phase 5 - creativity and innovation: ideas arise, some are tried, some succeed.

Creativity moves (at ``attitude_rate``) towards
``creativity_trait * (0.3 autonomy + 0.3 psych_safety + 0.4 engagement * (1 - crowding))``,
where crowding is ``crowding_out * bonus * reward_contingency`` (individual incentives
crowd out intrinsic motivation; Cerasoli et al. 2016); successes of collaborators inspire
(``inspiration``). Ideas arrive as Poisson events with rate
``idea_rate * creativity * (0.25 + 0.75 autonomy)`` - so LMX, which raises creativity
(indirectly), matters more where autonomy is high (Volmer, Spurk & Niessen 2012). Trying an idea is
a risk taken with probability ``psych_safety``. A tried idea succeeds with probability
``idea_success * (0.3 + 0.7 competence) * (0.3 + 0.7 support)`` (an under-resourced idea
usually fails). Each failure is met with
tolerance (probability ``failure_tolerance``: safety grows a little) or blame (safety
falls by the share ``failure_punishment``). Successes are the model's innovation; each raises
the inventor's engagement (``SUCCESS_ENGAGEMENT`` of the gap) and the leader's view of their
competence (``SUCCESS_VISIBILITY``). Inspiration uses collaborators' successes of the previous
week. LMX is not in the creativity target: it acts through autonomy, safety and engagement.
"""

from __future__ import annotations

import numpy as np

SUCCESS_ENGAGEMENT = 0.05  # engagement gap closed per success
SUCCESS_VISIBILITY = 0.05  # leader's competence view gap closed per success
TOLERANCE_SAFETY = 0.03    # safety gap closed per tolerated failure


def innovate(model, d) -> None:
    m, p, rng = model.members, model.params, model.rng
    occ = model.occupancy()
    occf = occ.f
    # target = creativity_trait * (0.3 autonomy + 0.3 safety + 0.4 engagement (1 - crowding))
    target = 0.3 * m.autonomy
    tmp = np.multiply(0.3, m.psych_safety)
    target += tmp
    np.multiply(0.4, m.engagement, out=tmp)
    if m.bonus.any():  # else crowding is 0 and (1 - crowding) is exactly 1
        crowding = p.crowding_out * m.bonus * d.reward_contingency
        np.subtract(1.0, crowding, out=crowding)
        tmp *= crowding
    target += tmp
    target *= m.creativity_trait
    target -= m.creativity
    target *= p.attitude_rate
    target *= occf
    m.creativity += target
    # inspiration from collaborators' successes last week (nothing to add if there were none)
    successes = m.successes_this_week > 0
    if successes.any():
        inspired = model.neighbour_mean_of_flags(successes)
        inspired *= p.inspiration
        np.minimum(inspired, 1.0, out=inspired)
        np.subtract(1.0, m.creativity, out=tmp)
        inspired *= tmp
        inspired *= occf
        m.creativity += inspired

    # rate = idea_rate * creativity * (0.25 + 0.75 autonomy)
    rate = np.multiply(0.75, m.autonomy, out=tmp)
    rate += 0.25
    np.multiply(p.idea_rate, m.creativity, out=target)
    target *= rate
    target *= occf
    ideas = rng.poisson(target)
    # the risky steps only concern the few members with an idea this week
    who = np.flatnonzero(ideas)
    tried = rng.binomial(ideas[who], m.psych_safety[who])
    p_success = p.idea_success * (0.3 + 0.7 * m.competence[who]) * (0.3 + 0.7 * m.support[who])
    success_w = rng.binomial(tried, p_success)
    failures = tried - success_w
    punished = rng.binomial(failures, 1.0 - p.failure_tolerance)
    tolerated = failures - punished
    success = np.zeros(m.capacity, dtype=np.int64)
    success[who] = success_w

    s = m.psych_safety[who] * (1.0 - p.failure_punishment) ** punished
    m.psych_safety[who] = s + (1.0 - s) * (1.0 - (1.0 - TOLERANCE_SAFETY) ** tolerated)
    m.engagement[who] += (1.0 - m.engagement[who]) * (1.0 - (1.0 - SUCCESS_ENGAGEMENT) ** success_w)
    pc = m.perceived_competence[who]
    m.perceived_competence[who] = pc + (1.0 - pc) * (1.0 - (1.0 - SUCCESS_VISIBILITY) ** success_w)

    m.ideas[who] += ideas[who]
    m.successful_ideas[who] += success_w
    m.successes_this_week = success.astype(np.int32)
    model.week_stats["ideas_tried"] = int(tried.sum())
    if success_w.any():  # summed over every position: the same pairwise sum as before
        value = np.add(0.5, m.competence, out=tmp)
        value *= success
        model.week_stats["innovation_value"] = float(value.sum())
    else:
        model.week_stats["innovation_value"] = 0.0
