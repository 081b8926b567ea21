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

import numpy as np

from lmxsim.draws import weekly
from lmxsim.state import ACQUAINTANCE, PARTNER, STRANGER

EXPECTATION_ADAPTATION = 0.02  # per week, towards what is delivered
LATITUDE_ADJUSTMENT = 0.2      # per week, felt autonomy towards latitude granted
CONTACT_MEMORY = 0.75          # weight of last week's contact in the moving average
AFFECT_WEIGHT = 0.35           # share of LMX that is interpersonal affect (Liden & Maslyn 1998)
SCAR_DEPTH = 0.2               # share of the remaining scar-free trust capacity a violation scars


def exchange(model, here, d) -> None:
    """Phase 3: the week's exchange between each leader and each member, rule by rule."""
    m, p = model.members, model.params
    budget = model.leaders.hours_per_week * d.time_use_team
    wanted = d.offer * p.deal_hours * here.present
    funded = here.per_member(funded_share(here, wanted, budget))
    offer, talk = d.offer * here.present * funded, wanted * funded
    m.hours = leader_hours(here, np.maximum(0.0, budget - here.team_total(talk)), d.time_weight)
    effective = m.hours * p.contact_efficiency
    if np.any(d.peer_leadership):
        effective = effective + peer_support_hours(m, p, here, d.peer_leadership)
    m.support = support(effective, stage_value(m.stage, p.hours_scale_stranger, p.hours_scale_acquaintance,
                                               p.hours_scale_partner), here.present)
    m.contact = contact(m.contact, m.hours + talk, p.contact_efficiency)
    m.assignment = here.top_k(d.assignment_priority, model.team_params.assignments_per_team)
    m.bonus = d.bonus * here.present
    m.autonomy = felt_autonomy(m.autonomy, d.latitude, m.trust, p.empowerment_genuineness)
    delivered = delivered_value(m.support, usable_latitude(d.latitude, readiness(m.competence, m.support, p.backing_need)),
                                m.assignment)
    m.expectation = expectation(m.expectation, delivered, offer, d.promise, p.contract_expectation)
    m.clarity = clarity(m.clarity, offer, 0.5 ** (1.0 / p.clarity_half_life_weeks))
    keep_and_break_promises(model, here, delivered)
    m.trust = benevolence(m.trust, delivered, p.trust_drift, here.present)
    m.lmx = lmx(m, delivered, stage_value(m.stage, p.lmx_rate_stranger, p.lmx_rate_acquaintance, p.lmx_rate_partner),
                here.present)
    m.stage = stage(m, model.week - m.dyad_start_week, p.onboarding_weeks, p.partner_contact_hours)


def stage_value(stage, stranger, acquaintance, partner) -> np.ndarray:
    """The value of a parameter for each dyad's stage (stranger, acquaintance, partnership)."""
    return np.choose(stage, [stranger, acquaintance, partner])


def leader_hours(here, budget_per_team: np.ndarray, time_weight: np.ndarray) -> np.ndarray:
    """hours = leader budget * time_weight / (team total of time_weight over members present)"""
    weight = time_weight * here.present
    total = here.per_member(here.team_total(weight))
    share = np.divide(weight, total, out=np.zeros(len(here)), where=total > 0)
    return share * here.per_member(budget_per_team)


def funded_share(here, wanted: np.ndarray, budget_per_team: np.ndarray) -> np.ndarray:
    """Per team: the share of this week's deal conversations (offer * deal_hours hours per member)
    the leader's hours fund, min(1, budget / team total); offers and talks are scaled by it."""
    total = here.team_total(wanted)
    return np.minimum(1.0, np.divide(budget_per_team, total, out=np.ones(len(total)), where=total > 0))


def readiness(competence, support, backing_need) -> np.ndarray:
    """readiness = competence (1 - backing_need (1 - support)): how much latitude a member can use -
    as far as they are able, and as far as the leader backs them."""
    return competence * (1.0 - backing_need * (1.0 - support))


def usable_latitude(latitude, ready) -> np.ndarray:
    """min(latitude, readiness): latitude is worth something only as far as the member can use it."""
    return np.minimum(latitude, ready)


def excess_latitude(latitude, ready) -> np.ndarray:
    """max(0, latitude - readiness): latitude handed beyond readiness (a burden, not a gift)."""
    return np.maximum(0.0, latitude - ready)


def peer_support_hours(m, p, here, peer_leadership) -> np.ndarray:
    """Support members draw from collaborators (distributed leadership):
    peer_leadership * peer_hours * contact_efficiency * mean over collaborators of (competence * citizenship).

    Help is given as citizenship and is as good as the helper's competence, so a team of
    disengaged or inexperienced peers has little to give; like leader contact it is
    discounted by ``contact_efficiency`` (remote work).
    """
    return peer_leadership * p.peer_hours * p.contact_efficiency * here.neighbour_mean(m.competence * m.citizenship)


def support(effective_hours, hours_scale, present) -> np.ndarray:
    """support = 1 - exp(-effective hours / h_stage)"""
    return (1.0 - np.exp(-effective_hours / hours_scale)) * present


def contact(previous, hours, contact_efficiency) -> np.ndarray:
    """contact = 0.75 contact + 0.25 * hours * contact_efficiency"""
    return CONTACT_MEMORY * previous + (1 - CONTACT_MEMORY) * hours * contact_efficiency


def felt_autonomy(autonomy, latitude, trust, genuineness) -> np.ndarray:
    """autonomy += 0.2 (latitude * genuineness * trust - autonomy)

    Latitude is used only as far as the empowerment feels genuine, and it feels genuine
    only to a member who trusts the leader."""
    return autonomy + (genuineness * trust * latitude - autonomy) * LATITUDE_ADJUSTMENT


def delivered_value(support, usable, assignment) -> np.ndarray:
    """delivered = 0.5 support + 0.3 usable latitude + 0.2 assignment"""
    return 0.5 * support + 0.3 * usable + 0.2 * assignment


def expectation(expected, delivered, offer, promise, contract) -> np.ndarray:
    """With an offer: max(expectation, contract + offer (promise - contract));
    without: expectation += 0.02 (max(delivered, contract) - expectation)."""
    adapted = expected + (np.maximum(delivered, contract) - expected) * EXPECTATION_ADAPTATION
    promised = contract + offer * (promise - contract)
    return np.where(offer > 0, np.maximum(expected, promised), adapted)


def clarity(previous, offer, decay) -> np.ndarray:
    """clarity = max(clarity, offer) with an offer; else it fades (half-life clarity_half_life_weeks)."""
    return np.where(offer > 0, np.maximum(previous, offer), previous * decay)


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
    m.scar = m.scar * 0.5 ** (1.0 / p.scar_half_life_weeks)
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


def benevolence(trust, delivered, trust_drift, present) -> np.ndarray:
    """trust += trust_drift (delivered - trust): care shown week by week (Mayer, Davis & Schoorman 1995)"""
    return trust + (delivered - trust) * trust_drift * present


def lmx(m, delivered, rate, present) -> np.ndarray:
    """lmx += rate_stage (0.65 sqrt(delivered * brought) + 0.35 liking - lmx), where the member
    brings 0.5 citizenship + 0.25 trust + 0.25 perceived competence."""
    brought = 0.5 * m.citizenship + 0.25 * m.trust + 0.25 * m.perceived_competence
    target = np.sqrt(brought * delivered) * (1.0 - AFFECT_WEIGHT) + AFFECT_WEIGHT * m.liking
    return m.lmx + (target - m.lmx) * rate * present


def stage(m, dyad_weeks, onboarding_weeks, partner_contact) -> np.ndarray:
    """stranger -> acquaintance after onboarding once lmx >= 0.35; acquaintance -> partnership
    when lmx >= 0.65, trust >= 0.6 and contact >= partner_contact_hours (sustained contact);
    partnership -> acquaintance when lmx < 0.5, trust < 0.4 or contact < partner_contact_hours / 2."""
    up1 = (m.stage == STRANGER) & (dyad_weeks > onboarding_weeks) & (m.lmx >= 0.35)
    up2 = (m.stage == ACQUAINTANCE) & (m.lmx >= 0.65) & (m.trust >= 0.6) & (m.contact >= partner_contact)
    down = (m.stage == PARTNER) & ((m.lmx < 0.5) | (m.trust < 0.4) | (m.contact < 0.5 * partner_contact))
    stage = m.stage.copy()
    stage[up1 | down] = ACQUAINTANCE
    stage[up2] = PARTNER
    return stage
