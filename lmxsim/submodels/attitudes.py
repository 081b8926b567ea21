"""Phase 7a (ODD 7.7) - attitudes: strain, engagement and turnover intention.

Strain (role ambiguity and overload) moves (at ``attitude_rate``) towards
``min(1, excess latitude + helping_strain * helping hours + vacancy_strain * vacant share)``:
latitude granted beyond readiness (see exchange; Cheong et al. 2016; Skogstad et al. 2007),
hours spent helping peers (Bergeron 2007; Bolino & Turnley 2005) and the work of the team's
vacancies, which the stayers cover.

Engagement moves towards ``0.35 affectivity + 0.65 situation - strain_cost * strain`` (at
least 0), with situation ``0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity``
(need satisfaction: relatedness, autonomy, fairness, competence support, Cerasoli et al. 2016;
role clarity, Rizzo, House & Lirtzman 1970). Turnover intention moves towards
``0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)
+ strain_cost * strain + turnover_contagion * max(0, recent team quit rate - annual_base_turnover)``
(at most 1; Dirks & Ferrin 2002: trust - intent to quit; Gerstner & Day 1997): colleagues
leaving more than usual raises one's own intention to quit (turnover contagion; Felps et al.
2009). The team's recent quit rate is the leader's ``departures`` (see turnover).
"""

from __future__ import annotations

import numpy as np

from lmxsim.submodels.exchange import excess_latitude, readiness
from lmxsim.submodels.work import helping_hours

DISPOSITION_WEIGHT = 0.35  # share of engagement set by stable affectivity (Judge et al. 2002)


def update_attitudes(model, here, d) -> None:
    """Phase 7a: strain, engagement and turnover intention move towards their targets."""
    m, p = model.members, model.params
    ready = readiness(m.competence, m.support, p.backing_need)
    target = strain_target(excess_latitude(d.latitude, ready), helping_hours(d.peer_leadership, p.peer_hours),
                           here.per_member(here.vacant_share()), p)
    m.strain = m.strain + (target - m.strain) * p.attitude_rate * here.present
    target = engagement_target(m, p.strain_cost)
    m.engagement = m.engagement + (target - m.engagement) * p.attitude_rate * here.present
    unusual = np.maximum(0.0, here.per_member(model.leaders.departures) - p.annual_base_turnover)
    target = intention_target(m, p.strain_cost, p.turnover_contagion * unusual)
    m.turnover_intention = m.turnover_intention + (target - m.turnover_intention) * p.attitude_rate * here.present


def strain_target(excess, helping, vacant, p) -> np.ndarray:
    """strain target = min(1, latitude beyond readiness + helping_strain * helping hours
    + vacancy_strain * vacant share of the team)"""
    return np.minimum(1.0, excess + p.helping_strain * helping + p.vacancy_strain * vacant)


def engagement_target(m, strain_cost) -> np.ndarray:
    """0.35 affectivity + 0.65 (0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity)
    - strain_cost * strain (at least 0)"""
    situation = 0.3 * m.lmx + 0.2 * m.autonomy + 0.15 * m.fairness + 0.2 * m.support + 0.15 * m.clarity
    return np.maximum(0.0, DISPOSITION_WEIGHT * m.affectivity + situation * (1.0 - DISPOSITION_WEIGHT)
                      - strain_cost * m.strain)


def intention_target(m, strain_cost, contagion) -> np.ndarray:
    """0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)
    + strain_cost * strain + turnover_contagion * max(0, the team's recent quit rate - annual_base_turnover)
    (at most 1): colleagues leaving more than usual is a signal (Felps et al. 2009)"""
    return np.minimum(1.0, 0.5 * m.mobility + (1.0 - m.trust) * 0.25 + (1.0 - m.engagement) * 0.15
                      + (1.0 - m.fairness) * 0.1 + strain_cost * m.strain + contagion)
