"""Phases 2-3 (ODD 7.3) - decisions become exchanges; promises are kept or broken; trust and LMX move.

Leader time: a team's leader has ``hours_per_week * time_use`` hours. Deal talks are paid
first: each offer costs ``deal_hours * offer`` hours in the week it is made (a one-on-one;
Graen, Novak & Sommerkamp 1982), and a leader short of hours funds only a share of them, so
every offer and talk shrinks by that share. The rest is split in proportion to the policy's
``time_weight`` over occupied positions. Support has diminishing returns,
``1 - exp(-h / h_stage)``, where ``h`` is effective hours (leader hours times
``contact_efficiency``, plus peer support drawn from collaborators' competence and
citizenship) and ``h_stage`` the hours a dyad of that stage needs. ``contact`` - what the
leader's perception and a partnership need - is a moving average of leader hours (talks
included) times ``contact_efficiency``.

Latitude has a price: a member can use it only as far as they are ready,
``readiness = competence (1 - backing_need (1 - support))`` - able, and backed by the leader
(Cheong et al. 2016; Pierce & Aguinis 2013). Delivered value is
``0.5 support + 0.3 min(latitude, readiness) + 0.2 assignment``; latitude beyond readiness
costs output, ideas and strain (see work, innovation, attitudes). Felt autonomy moves 20%/week
towards ``latitude * empowerment_genuineness * trust``.

The deal: an offer sets the member's expectation to at least
``contract + offer (promise - contract)``, where ``promise`` is what the policy announces it
will deliver (``Decisions.promise``) - over-promising is the policy's choice. Without an offer
expectations adapt slowly (2%/week) towards what is delivered, never below the contract.
An offer makes the deal clear: ``clarity`` rises to at least the offer, fades with half-life
``clarity_half_life_weeks`` and loses ``SCAR_DEPTH`` of itself at each breach; clear deals
raise citizenship and engagement (role clarity).

Promises exist only where a deal was made. Each week an obligation falls due with probability
``promise_event_rate``: a promise of the deal with probability ``promise_event_rate * clarity``,
kept with probability ``promise_reliability * min(1, delivered / expectation)``; otherwise one
of the basic contract, which earns nothing when met and is breached with probability
``max(0, 1 - delivered / contract_expectation)`` (psychological-contract breach; Robinson 1996).
A kept promise closes ``trust_gain (1 - scar)`` of the gap to full trust; a broken promise or a
breach removes ``min(1, trust_gain * trust_loss_ratio)`` of the trust there is, deepens the scar
by ``SCAR_DEPTH`` of what is unscarred and cuts clarity; the scar halves every
``scar_half_life_weeks`` (Slovic 1993). Trust also drifts ``trust_drift`` of the way towards the
value delivered each week (benevolence; Mayer, Davis & Schoorman 1995).

LMX moves towards ``0.65 sqrt(delivered * brought) + 0.35 liking``, where the member brings
``0.5 citizenship + 0.25 trust + 0.25 perceived competence`` and liking is LMX's affect
dimension (Liden & Maslyn 1998), at a rate set by the stage (fast for strangers: Liden, Wayne &
Stilwell 1993). Stages (Graen & Uhl-Bien 1995): stranger -> acquaintance after onboarding once
LMX reaches 0.35; acquaintance -> partnership at LMX >= 0.65, trust >= 0.6 and contact >=
``partner_contact_hours`` (depth needs sustained contact, which spreading time thin cannot give);
a partnership falls back when LMX < 0.5, trust < 0.4 or contact < half of that.
"""

from __future__ import annotations

import math

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.draws import weekly
from lmxsim.state import ACQUAINTANCE, PARTNER, STRANGER

EXPECTATION_ADAPTATION = 0.02  # per week, towards what is delivered
LATITUDE_ADJUSTMENT = 0.2      # per week, felt autonomy towards latitude granted
CONTACT_MEMORY = 0.75          # weight of last week's contact in the moving average
AFFECT_WEIGHT = 0.35           # share of LMX that is interpersonal affect (Liden & Maslyn 1998)
SCAR_DEPTH = 0.2               # share of the remaining scar-free trust capacity a violation scars


def exchange(model, here, d) -> None:
    """Phase 3: the week's exchange between each leader and each member, rule by rule."""
    m, per_org = model.members, model.per_org
    budget = model.leaders.hours_per_week * d.time_use_team
    offer, talk, m.hours = _leader_time(m.team, m.org, here.present, d.offer, d.time_weight, budget,
                                        per_org("deal_hours"))
    effective = m.hours * model.params.contact_efficiency
    if np.any(d.peer_leadership):
        effective = effective + peer_support_hours(d.peer_leadership, model.params.peer_hours,
                                                   model.params.contact_efficiency,
                                                   here.neighbour_mean(m.competence * m.citizenship))
    m.assignment = here.top_k(d.assignment_priority, model.team_params.assignments_per_team)
    delivered, m.support, m.contact, m.bonus, m.autonomy, m.expectation, m.clarity = _deliver(
        m.org, here.present, effective, m.stage, m.hours, talk, offer, m.assignment, m.contact, m.autonomy, m.trust,
        m.competence, m.expectation, m.clarity, d.bonus, d.latitude, d.promise, per_org("hours_scale_stranger"),
        per_org("hours_scale_acquaintance"), per_org("hours_scale_partner"), per_org("contact_efficiency"),
        per_org("empowerment_genuineness"), per_org("backing_need"), per_org("contract_expectation"),
        per_org("clarity_half_life_weeks", of=half_life_decay))
    keep_and_break_promises(model, here, delivered)
    m.trust, m.lmx, m.stage = _relate(
        m.org, here.present, delivered, model.week - m.dyad_start_week, m.stage, m.trust, m.lmx, m.citizenship,
        m.perceived_competence, m.liking, m.contact, per_org("trust_drift"), per_org("lmx_rate_stranger"),
        per_org("lmx_rate_acquaintance"), per_org("lmx_rate_partner"), per_org("onboarding_weeks"),
        per_org("partner_contact_hours"))


@kernel
def _leader_time(team, org, present, chosen_offer, time_weight, budget, deal_hours):
    """Deal talks first (as far as each leader's hours fund them), then the rest of the leader's hours
    split by time weight: this week's offer, talk hours and leader hours of every position."""
    n, n_teams = team.size, budget.size
    wanted, weight = np.empty(n), np.empty(n)
    wanted_total, weight_total, talk_total = np.zeros(n_teams), np.zeros(n_teams), np.zeros(n_teams)
    for i in range(n):   # team totals, summed in position order
        wanted[i] = chosen_offer[i] * deal_hours[org[i]] * present[i]
        weight[i] = time_weight[i] * present[i]
        wanted_total[team[i]] += wanted[i]
        weight_total[team[i]] += weight[i]
    funded = np.empty(n_teams)
    for t in range(n_teams):
        funded[t] = funded_share(wanted_total[t], budget[t])
    offer, talk, hours = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        offer[i] = chosen_offer[i] * present[i] * funded[team[i]]
        talk[i] = wanted[i] * funded[team[i]]
        talk_total[team[i]] += talk[i]
    for i in range(n):
        t = team[i]
        hours[i] = leader_hours(weight[i], weight_total[t], max(0.0, budget[t] - talk_total[t]))
    return offer, talk, hours


@kernel
def _deliver(org, present, effective, stage, hours, talk, offer, assignment, contact_before, autonomy_before, trust,
             competence, expectation_before, clarity_before, chosen_bonus, latitude, promise, hours_scale_stranger,
             hours_scale_acquaintance, hours_scale_partner, contact_efficiency, genuineness, backing_need,
             contract_expectation, clarity_decay):
    """Support, contact, bonus, felt autonomy, the value delivered, expectations and clarity of every position."""
    n = org.size
    delivered, support_, contact_, bonus = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    autonomy, expectation_, clarity_ = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        o = org[i]
        support_[i] = support(effective[i], stage_value(stage[i], hours_scale_stranger[o], hours_scale_acquaintance[o],
                                                        hours_scale_partner[o]), present[i])
        contact_[i] = contact(contact_before[i], hours[i] + talk[i], contact_efficiency[o])
        bonus[i] = chosen_bonus[i] * present[i]
        autonomy[i] = felt_autonomy(autonomy_before[i], latitude[i], trust[i], genuineness[o])
        delivered[i] = delivered_value(support_[i], usable_latitude(latitude[i], readiness(competence[i], support_[i],
                                                                                          backing_need[o])),
                                       assignment[i])
        expectation_[i] = expectation(expectation_before[i], delivered[i], offer[i], promise[i], contract_expectation[o])
        clarity_[i] = clarity(clarity_before[i], offer[i], clarity_decay[o])
    return delivered, support_, contact_, bonus, autonomy, expectation_, clarity_


@kernel
def _relate(org, present, delivered, dyad_weeks, stage, trust_before, lmx_before, citizenship, perceived_competence,
            liking, contact_, trust_drift, lmx_rate_stranger, lmx_rate_acquaintance, lmx_rate_partner,
            onboarding_weeks, partner_contact_hours):
    """Trust drifts towards the value delivered, LMX moves, the dyad's stage changes."""
    n = org.size
    trust, lmx_, stage_ = np.empty(n), np.empty(n), np.empty(n, dtype=np.int8)
    for i in range(n):
        o = org[i]
        trust[i] = benevolence(trust_before[i], delivered[i], trust_drift[o], present[i])
        rate = stage_value(stage[i], lmx_rate_stranger[o], lmx_rate_acquaintance[o], lmx_rate_partner[o])
        lmx_[i] = lmx(lmx_before[i], citizenship[i], trust[i], perceived_competence[i], liking[i], delivered[i], rate,
                      present[i])
        stage_[i] = int(next_stage(stage[i], dyad_weeks[i], lmx_[i], trust[i], contact_[i], onboarding_weeks[o],
                                   partner_contact_hours[o]))
    return trust, lmx_, stage_


def half_life_decay(half_life: float) -> float:
    """0.5 ** (1 / half_life): the weekly factor of what halves in ``half_life`` weeks"""
    return 0.5 ** (1.0 / half_life)


@rule
def stage_value(stage, stranger, acquaintance, partner):
    """The value of a parameter for a dyad's stage (stranger, acquaintance, partnership)."""
    if stage == STRANGER:
        return stranger
    return acquaintance if stage == ACQUAINTANCE else partner


@rule
def leader_hours(weight, team_weight, budget):
    """hours = leader budget * time_weight / (team total of time_weight over members present)
    (``weight`` is the member's time_weight if present, else 0; no hours in a team without weight)"""
    share = weight / team_weight if team_weight > 0 else 0.0
    return share * budget


@rule
def funded_share(wanted_total, budget):
    """The share of this week's deal conversations (offer * deal_hours hours per member) a team
    leader's hours fund, min(1, budget / team total); offers and talks are scaled by it."""
    return min(1.0, budget / wanted_total if wanted_total > 0 else 1.0)


@rule
def readiness(competence, support, backing_need):
    """readiness = competence (1 - backing_need (1 - support)): how much latitude a member can use -
    as far as they are able, and as far as the leader backs them."""
    return competence * (1.0 - backing_need * (1.0 - support))


@rule
def usable_latitude(latitude, ready):
    """min(latitude, readiness): latitude is worth something only as far as the member can use it."""
    return min(latitude, ready)


@rule
def excess_latitude(latitude, ready):
    """max(0, latitude - readiness): latitude handed beyond readiness (a burden, not a gift)."""
    return max(0.0, latitude - ready)


@rule
def peer_support_hours(peer_leadership, peer_hours, contact_efficiency, collaborators_help):
    """Support members draw from collaborators (distributed leadership):
    peer_leadership * peer_hours * contact_efficiency * mean over collaborators of (competence * citizenship).

    Help is given as citizenship and is as good as the helper's competence, so a team of
    disengaged or inexperienced peers has little to give; like leader contact it is
    discounted by ``contact_efficiency`` (remote work).
    """
    return peer_leadership * peer_hours * contact_efficiency * collaborators_help


@rule
def support(effective_hours, hours_scale, present):
    """support = 1 - exp(-effective hours / h_stage)"""
    return (1.0 - math.exp(-effective_hours / hours_scale)) * present


@rule
def contact(previous, hours, contact_efficiency):
    """contact = 0.75 contact + 0.25 * hours * contact_efficiency"""
    return CONTACT_MEMORY * previous + (1 - CONTACT_MEMORY) * hours * contact_efficiency


@rule
def felt_autonomy(autonomy, latitude, trust, genuineness):
    """autonomy += 0.2 (latitude * genuineness * trust - autonomy)

    Latitude is used only as far as the empowerment feels genuine, and it feels genuine
    only to a member who trusts the leader."""
    return autonomy + (genuineness * trust * latitude - autonomy) * LATITUDE_ADJUSTMENT


@rule
def delivered_value(support, usable, assignment):
    """delivered = 0.5 support + 0.3 usable latitude + 0.2 assignment"""
    return 0.5 * support + 0.3 * usable + 0.2 * assignment


@rule
def expectation(expected, delivered, offer, promise, contract):
    """With an offer: max(expectation, contract + offer (promise - contract));
    without: expectation += 0.02 (max(delivered, contract) - expectation)."""
    if offer > 0:
        return max(expected, contract + offer * (promise - contract))
    return expected + (max(delivered, contract) - expected) * EXPECTATION_ADAPTATION


@rule
def clarity(previous, offer, decay):
    """clarity = max(clarity, offer) with an offer; else it fades (half-life clarity_half_life_weeks)."""
    return max(previous, offer) if offer > 0 else previous * decay


def keep_and_break_promises(model, here, delivered) -> None:
    """Promises exist only where a deal was made. Each week an obligation falls due with probability
    promise_event_rate: a promise of the deal with probability promise_event_rate * clarity, else one
    of the basic contract. A promise is kept with probability promise_reliability * min(1, delivered /
    expectation): kept, trust += trust_gain (1 - scar) (1 - trust); broken, see :func:`break_promises`.
    The basic contract is breached with probability max(0, 1 - delivered / contract_expectation) (no
    gain when it is met; Robinson 1996). The scar halves every scar_half_life_weeks."""
    m, p, luck = model.members, model.params, weekly(model)
    u = luck.uniform("promise.due")
    deal = p.promise_event_rate * m.clarity
    due = np.flatnonzero(here.occupied & (u < deal))
    basic = np.flatnonzero(here.occupied & (u >= deal) & (u < p.promise_event_rate))
    fulfilment = np.minimum(1.0, delivered[due] / np.maximum(m.expectation[due], 1e-9))
    kept = luck.uniform("promise.kept", at=due) < p.at(due).promise_reliability * fulfilment
    shortfall = 1.0 - np.minimum(1.0, delivered[basic] / np.maximum(p.at(basic).contract_expectation, 1e-9))
    breached = basic[luck.uniform("promise.kept", at=basic) < shortfall]
    keep, broke = due[kept], due[~kept]
    m.scar = m.scar * model.per_org("scar_half_life_weeks", of=half_life_decay)[m.org]
    gain = p.at(keep).trust_gain * (1.0 - m.scar[keep]) * (1.0 - m.trust[keep])
    m.trust[keep] += gain
    model.record_promises(keep, gain, broke, _break(m, p.at(broke), broke))
    _break(m, p.at(breached), breached)
    model.week_stats["breaches"] = here.org_count(breached)


def break_promises(model, who: np.ndarray) -> np.ndarray:
    """A promise to each member in ``who`` is broken: trust falls by ``trust_gain *
    trust_loss_ratio`` of itself (capped at all of it), the scar deepens and the deal
    becomes less clear. Returns the trust lost per position."""
    idx = np.flatnonzero(who)
    loss = np.zeros(model.members.capacity)
    loss[idx] = _break(model.members, model.params.at(idx), idx)
    return loss


def _break(m, p, idx: np.ndarray) -> np.ndarray:
    """trust -= min(1, trust_gain * trust_loss_ratio) trust; scar += 0.2 (1 - scar); clarity *= 0.8
    (``p`` seen from ``idx``)"""
    loss = np.minimum(1.0, p.trust_gain * p.trust_loss_ratio) * m.trust[idx]
    m.trust[idx] -= loss
    m.scar[idx] = m.scar[idx] + SCAR_DEPTH * (1.0 - m.scar[idx])
    m.clarity[idx] = m.clarity[idx] * (1.0 - SCAR_DEPTH)
    return loss


@rule
def benevolence(trust, delivered, trust_drift, present):
    """trust += trust_drift (delivered - trust): care shown week by week (Mayer, Davis & Schoorman 1995)"""
    return trust + (delivered - trust) * trust_drift * present


@rule
def lmx(lmx, citizenship, trust, perceived_competence, liking, delivered, rate, present):
    """lmx += rate_stage (0.65 sqrt(delivered * brought) + 0.35 liking - lmx), where the member
    brings 0.5 citizenship + 0.25 trust + 0.25 perceived competence."""
    brought = 0.5 * citizenship + 0.25 * trust + 0.25 * perceived_competence
    target = math.sqrt(brought * delivered) * (1.0 - AFFECT_WEIGHT) + AFFECT_WEIGHT * liking
    return lmx + (target - lmx) * rate * present


@rule
def next_stage(stage, dyad_weeks, lmx, trust, contact, onboarding_weeks, partner_contact):
    """stranger -> acquaintance after onboarding once lmx >= 0.35; acquaintance -> partnership
    when lmx >= 0.65, trust >= 0.6 and contact >= partner_contact_hours (sustained contact);
    partnership -> acquaintance when lmx < 0.5, trust < 0.4 or contact < partner_contact_hours / 2."""
    if stage == STRANGER and dyad_weeks > onboarding_weeks and lmx >= 0.35:
        return ACQUAINTANCE
    if stage == ACQUAINTANCE and lmx >= 0.65 and trust >= 0.6 and contact >= partner_contact:
        return PARTNER
    if stage == PARTNER and (lmx < 0.5 or trust < 0.4 or contact < 0.5 * partner_contact):
        return ACQUAINTANCE
    return stage
