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

from lmxsim._structure import kernel, rule
from lmxsim.submodels.exchange import excess_latitude, readiness
from lmxsim.submodels.work import helping_hours

DISPOSITION_WEIGHT = 0.35  # share of engagement set by stable affectivity (Judge et al. 2002)


def update_attitudes(model, here, d) -> None:
    """Phase 7a: strain, engagement and turnover intention move towards their targets."""
    m, per_org = model.members, model.per_org
    m.strain, m.engagement, m.turnover_intention = _attitudes(
        m.org, here.present, here.per_member(here.vacant_share()), here.per_member(model.leaders.departures),
        d.latitude, d.peer_leadership, m.competence, m.support, m.strain, m.engagement, m.turnover_intention,
        m.affectivity, m.lmx, m.autonomy, m.fairness, m.clarity, m.mobility, m.trust, per_org("backing_need"),
        per_org("peer_hours"), per_org("helping_strain"), per_org("vacancy_strain"), per_org("strain_cost"),
        per_org("attitude_rate"), per_org("annual_base_turnover"), per_org("turnover_contagion"))


@kernel
def _attitudes(org, present, vacant, departures, latitude, peer_leadership, competence, support, strain_before,
               engagement_before, intention_before, affectivity, lmx, autonomy, fairness, clarity, mobility, trust,
               backing_need, peer_hours, helping_strain, vacancy_strain, strain_cost, attitude_rate,
               annual_base_turnover, turnover_contagion):
    """The rules above for every position: strain first, then engagement, then turnover intention."""
    n = org.size
    strain, engagement, intention = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        o = org[i]
        ready = readiness(competence[i], support[i], backing_need[o])
        target = strain_target(excess_latitude(latitude[i], ready), helping_hours(peer_leadership[i], peer_hours[o]),
                               vacant[i], helping_strain[o], vacancy_strain[o])
        strain[i] = towards(strain_before[i], target, attitude_rate[o], present[i])
        target = engagement_target(affectivity[i], lmx[i], autonomy[i], fairness[i], support[i], clarity[i],
                                   strain[i], strain_cost[o])
        engagement[i] = towards(engagement_before[i], target, attitude_rate[o], present[i])
        unusual = max(0.0, departures[i] - annual_base_turnover[o])
        target = intention_target(mobility[i], trust[i], engagement[i], fairness[i], strain[i], strain_cost[o],
                                  turnover_contagion[o] * unusual)
        intention[i] = towards(intention_before[i], target, attitude_rate[o], present[i])
    return strain, engagement, intention


@rule
def towards(value, target, rate, present):
    """value += (target - value) * rate: an attitude moves a share ``rate`` of the way to its target
    each week (members present only)"""
    return value + (target - value) * rate * present


@rule
def strain_target(excess, helping, vacant, helping_strain, vacancy_strain):
    """strain target = min(1, latitude beyond readiness + helping_strain * helping hours
    + vacancy_strain * vacant share of the team)"""
    return min(1.0, excess + helping_strain * helping + vacancy_strain * vacant)


@rule
def engagement_target(affectivity, lmx, autonomy, fairness, support, clarity, strain, strain_cost):
    """0.35 affectivity + 0.65 (0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity)
    - strain_cost * strain (at least 0)"""
    situation = 0.3 * lmx + 0.2 * autonomy + 0.15 * fairness + 0.2 * support + 0.15 * clarity
    return max(0.0, DISPOSITION_WEIGHT * affectivity + situation * (1.0 - DISPOSITION_WEIGHT) - strain_cost * strain)


@rule
def intention_target(mobility, trust, engagement, fairness, strain, strain_cost, contagion):
    """0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)
    + strain_cost * strain + turnover_contagion * max(0, the team's recent quit rate - annual_base_turnover)
    (at most 1): colleagues leaving more than usual is a signal (Felps et al. 2009)"""
    return min(1.0, 0.5 * mobility + (1.0 - trust) * 0.25 + (1.0 - engagement) * 0.15 + (1.0 - fairness) * 0.1
               + strain_cost * strain + contagion)
