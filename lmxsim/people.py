"""Who joins: the initial workforce and newcomers (ODD 5 "Initialisation" and 7.8.2 "Hiring").

A person entering a position draws stable traits - competence (normal, ``competence_mean``
+/- ``competence_spread``, bounded to [0.02, 0.98]), creative disposition, disposition to
leave, positive affectivity and conscientiousness (each Beta(2, 2)) and a position on the
leader-similarity circle - and starts a new dyad: stranger stage, ``initial_lmx`` (plus normal
noise of sd 0.05) and ``initial_trust`` plus the person's propensity to trust (normal, sd
``trust_propensity_sd``; Colquitt, Scott & LePine 2007), both bounded to [0, 1]; no scar,
contact or clarity yet, and contractual expectations (``contract_expectation``). The leader's
view starts from the leader's persistent bias for this member: liking (``similarity_bias``
times similarity; Liden, Wayne & Stilwell 1993) plus an idiosyncratic part (sd
``rater_idiosyncrasy``; Scullen, Mount & Goff 2000). The member's liking of the leader - the
affect dimension of LMX (Liden & Maslyn 1998) - is half similarity, half idiosyncratic
(Beta(2, 2)). A newcomer starts without strain, with a recent-output average of
``competence * base_effort``, and ramps up to full output over ``ramp_up_weeks`` from the week
of hiring (see work); the initial workforce is hired with a tenure already served (drawn by
the engine from the base turnover rate).
"""

from __future__ import annotations

import numpy as np

from lmxsim.draws import of_dyads, of_people, person_keys
from lmxsim.state import STRANGER
from lmxsim.submodels.work import citizenship_at


def circle_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Similarity in [0, 1] of two positions on a unit circle (1 = identical)."""
    d = np.abs(a - b) % 1.0
    return 1.0 - 2.0 * np.minimum(d, 1.0 - d)


def start_dyad(model, idx: np.ndarray) -> None:
    """Begin a fresh leader-member relationship at positions ``idx`` (a hire or a new leader)."""
    m, p = model.members, model.params.at(idx)
    luck = of_dyads(model, idx)
    m.dyad_start_week[idx] = model.week
    m.stage[idx] = STRANGER
    m.similarity[idx] = circle_similarity(luck.uniform("dyad.similarity"), model.leaders.similarity_trait[m.team[idx]])
    z_lmx, z_trust = luck.normal_pair("dyad.start")
    m.lmx[idx] = np.clip(p.initial_lmx + 0.05 * z_lmx, 0.0, 1.0)
    m.trust[idx] = np.clip(p.initial_trust + p.trust_propensity_sd * z_trust, 0.0, 1.0)
    m.scar[idx] = 0.0
    m.contact[idx] = 0.0
    m.in_group[idx] = False
    m.expectation[idx] = p.contract_expectation
    m.clarity[idx] = 0.0
    m.liking[idx] = 0.5 * m.similarity[idx] + 0.5 * luck.beta22("dyad.liking")
    m.rater_bias[idx] = (p.similarity_bias * (m.similarity[idx] - 0.5)
                         + p.rater_idiosyncrasy * luck.normal("dyad.rater_bias"))
    prior = np.clip(0.5 + m.rater_bias[idx], 0.0, 1.0)
    m.perceived_competence[idx] = prior
    m.perceived_loyalty[idx] = prior


def hire(model, idx: np.ndarray, tenure_weeks: np.ndarray, competence_shift: float = 0.0) -> None:
    """Put new people into the vacant positions ``idx``; ``tenure_weeks`` they have already served.

    The k-th person to sit at a desk is the same person whenever they are hired (their traits
    are keyed by desk and serial, :mod:`lmxsim.draws`). ``competence_shift`` moves the
    competence draw (e.g. -0.15 for graduates)."""
    if len(idx) == 0:
        return
    m, p = model.members, model.params.at(idx)
    m.occupied[idx] = True
    m.refill_week[idx] = -1
    m.person_id[idx] = model.next_ids("person", m.org[idx])
    m.serial[idx] = m.occupants[idx]
    m.occupants[idx] += 1
    m.person_key[idx] = person_keys(m.slot[idx], m.serial[idx])
    m.hire_week[idx] = model.week - tenure_weeks
    luck = of_people(model, idx)
    z = luck.normal("hire.competence")
    m.competence[idx] = np.clip(p.competence_mean + competence_shift + p.competence_spread * z, 0.02, 0.98)
    m.creativity_trait[idx] = luck.beta22("hire.traits", draw=0)
    m.mobility[idx] = luck.beta22("hire.traits", draw=1)
    m.affectivity[idx] = luck.beta22("hire.traits", draw=2)
    m.conscientiousness[idx] = luck.beta22("hire.traits", draw=3)
    start_dyad(model, idx)
    m.autonomy[idx] = 0.3
    m.psych_safety[idx] = 0.5
    m.creativity[idx] = 0.3 * m.creativity_trait[idx]
    m.engagement[idx] = 0.6
    m.fairness[idx] = 0.8
    m.turnover_intention[idx] = 0.3
    m.strain[idx] = 0.0
    m.citizenship[idx] = citizenship_at(np.asarray(idx, dtype=np.int64), m.lmx, m.conscientiousness, m.clarity,
                                        m.engagement)
    m.performance[idx] = 0.0
    m.hours[idx] = m.support[idx] = m.bonus[idx] = 0.0   # no exchange yet (a same-week refill)
    m.assignment[idx] = False
    m.performance_avg[idx] = m.competence[idx] * p.base_effort  # a newcomer's expected output
    m.ideas[idx] = 0
    m.successful_ideas[idx] = 0
    m.successes_this_week[idx] = 0
    model.on_hired(idx)
