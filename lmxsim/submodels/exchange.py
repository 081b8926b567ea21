"""Phases 2-3 - policy decisions become exchanges; promises are kept or broken; trust and LMX move.

Leader time: a team's leader spends ``hours_per_week * time_use`` on exchanges, split in
proportion to the policy's ``time_weight`` over occupied positions. Support quality has
diminishing returns, ``1 - exp(-h / h_stage)``, where ``h`` is effective hours (leader
hours times ``contact_efficiency`` plus peer support) and ``h_stage`` the hours a dyad of
that stage needs (strangers need most, partners least). The member's ``contact`` (what the
leader's perception depends on) is a moving average of effective leader hours
(``CONTACT_MEMORY`` of last week's value).

Felt autonomy moves 20%/week towards ``latitude * empowerment_genuineness * trust``:
latitude is used only as far as the empowerment feels genuine, and it feels genuine only
to a member who trusts the leader.

Promises: an explicit offer raises the member's expectation to at least
``contract + offer * (offer_expectation - contract)`` (an offer never lowers it); without an offer expectations
adapt slowly (2%/week) towards what is delivered, never below the contract level.
An offer also makes the deal clear: ``clarity`` rises to at least the offer's strength, fades with a
half-life of ``clarity_half_life_weeks`` unless renewed, and loses ``SCAR_DEPTH`` of itself
at each broken promise. Clear deals raise engagement (role clarity) and the member's
reciprocation (see work and attitudes). Delivered value is ``0.5 support + 0.3 latitude + 0.2 assignment``. A promise falls due
with probability ``promise_event_rate`` a week and is kept with probability
``promise_reliability * min(1, delivered / expectation)``. A kept promise closes
``trust_gain * (1 - scar)`` of the gap to full trust; a broken one removes
``min(1, trust_gain * trust_loss_ratio)`` of the trust there is, deepens the scar by
``SCAR_DEPTH`` of what is unscarred and cuts clarity by ``SCAR_DEPTH``; the scar halves
every ``scar_half_life_weeks`` (Slovic 1993). The loss/gain ratio of one event is
``trust_loss_ratio * trust / ((1 - trust)(1 - scar))``: ``trust_loss_ratio`` at trust 0.5
without scar, more above. Besides these events, trust moves ``trust_drift`` of the way
towards the value delivered each week (benevolence; Mayer, Davis & Schoorman 1995).

LMX moves towards ``0.65 exchange + 0.35 liking``: the exchange is the geometric mean of what
each side brings - the leader's delivered value and the member's contribution
``0.5 citizenship + 0.25 trust + 0.25 perceived competence`` (competence counts as the
leader sees it) - and liking is the affect dimension of LMX (Liden & Maslyn 1998). It moves
at a rate set by the relationship stage (fast for strangers: Liden, Wayne & Stilwell 1993). Stages
(Graen & Uhl-Bien 1995): stranger -> acquaintance after the onboarding window once LMX
passes 0.35; acquaintance -> partnership when LMX >= 0.65 and trust >= 0.6; a partnership
falls back when LMX < 0.5 or trust < 0.4.
"""

from __future__ import annotations

import numpy as np

from lmxsim.state import ACQUAINTANCE, PARTNER, STRANGER
from lmxsim.teams import per_member, team_sum, top_k_in_team

EXPECTATION_ADAPTATION = 0.02  # per week, towards what is delivered
LATITUDE_ADJUSTMENT = 0.2      # per week, felt autonomy towards latitude granted
CONTACT_MEMORY = 0.75          # weight of last week's contact in the moving average
AFFECT_WEIGHT = 0.35           # share of LMX that is interpersonal affect (Liden & Maslyn 1998)
SCAR_DEPTH = 0.2               # share of the remaining scar-free trust capacity a violation scars


def _any(values) -> bool:
    """``np.any(values)``; for a zero-stride (broadcast scalar) array, from its one value."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.strides == (0,) and len(values):
        return bool(values[0])
    return bool(np.any(values))


def _varies_or_positive(values) -> bool:
    """False only for a zero-stride (broadcast scalar) array whose one value is not > 0."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.strides == (0,) and len(values):
        return bool(values[0] > 0)
    return True


def allocate_hours(model, d) -> np.ndarray:
    """Leader hours per member position this week."""
    m = model.members
    blocks = m.blocks(model.n_teams)
    weight = d.time_weight * model.occupancy().f
    total = per_member(team_sum(m.team, weight, model.n_teams), m.team, blocks)
    budget = per_member(model.leaders.hours_per_week * d.time_use_team, m.team, blocks)
    has_time = total > 0
    if has_time.all():
        share = np.divide(weight, total, out=total)
    else:
        share = np.divide(weight, total, out=np.zeros(m.capacity), where=has_time)
    share *= budget
    return share


def peer_support_hours(model, d) -> np.ndarray:
    """Support members draw from collaborators (distributed leadership).

    Help is given as citizenship and is as good as the helper's competence, so a team of
    disengaged or inexperienced peers has little to give; like leader contact it is
    discounted by ``contact_efficiency`` (remote work).
    """
    m, p = model.members, model.params
    if not _any(d.peer_leadership):
        return np.zeros(m.capacity)
    return d.peer_leadership * p.peer_hours * p.contact_efficiency * model.neighbour_mean(m.competence * m.citizenship)


def break_promises(model, who: np.ndarray) -> np.ndarray:
    """A promise to each member in ``who`` is broken: trust falls by ``trust_gain *
    trust_loss_ratio`` of itself (capped at all of it), the scar deepens and the deal
    becomes less clear. Returns the trust lost per position."""
    idx = np.flatnonzero(who)
    loss = np.zeros(model.members.capacity)
    loss[idx] = _break(model, idx)
    return loss


def _break(model, idx: np.ndarray) -> np.ndarray:
    """:func:`break_promises` for the positions ``idx``; returns their trust losses."""
    m, p = model.members, model.params
    loss = min(1.0, p.trust_gain * p.trust_loss_ratio) * m.trust[idx]
    m.trust[idx] -= loss
    scar = m.scar[idx]
    m.scar[idx] = scar + SCAR_DEPTH * (1.0 - scar)
    m.clarity[idx] = m.clarity[idx] * (1.0 - SCAR_DEPTH)
    return loss


def exchange(model, d) -> None:
    m, p, rng = model.members, model.params, model.rng
    occ = model.occupancy()
    occf = occ.f
    n = m.capacity
    stage = m.stage.astype(np.intp)

    # time and support
    hours = m.hours = allocate_hours(model, d)
    x = hours * p.contact_efficiency
    peers = _any(d.peer_leadership)
    if peers:
        x += peer_support_hours(model, d)
    # support = (1 - exp(-effective / h_stage)) * occupied
    np.negative(x, out=x)
    np.divide(x, model.hours_scale[stage], out=x)
    np.exp(x, out=x)
    np.subtract(1.0, x, out=x)
    if peers:  # without peer support a vacant desk has 0 hours and so support 1 - exp(-0) == 0 already
        x *= occf
    m.support = support = x
    tmp = (1 - CONTACT_MEMORY) * hours
    tmp *= p.contact_efficiency
    m.contact *= CONTACT_MEMORY
    m.contact += tmp

    # scarce important assignments
    m.assignment = top_k_in_team(m.team, d.assignment_priority, occ.occupied, p.assignments_per_team,
                                 blocks=m.blocks(model.n_teams))
    m.bonus = d.bonus * occf

    # felt autonomy: latitude granted, used only as far as the empowerment feels genuine -
    # and it feels genuine only to a member who trusts the leader
    np.multiply(p.empowerment_genuineness, m.trust, out=tmp)     # felt genuine
    tmp *= d.latitude
    tmp -= m.autonomy
    tmp *= LATITUDE_ADJUSTMENT
    m.autonomy += tmp

    # expectations and promises
    delivered = 0.5 * support
    np.multiply(0.3, d.latitude, out=tmp)
    delivered += tmp
    np.multiply(0.2, m.assignment, out=tmp)
    delivered += tmp
    offered = np.flatnonzero(d.offer > 0) if _varies_or_positive(d.offer) else np.empty(0, dtype=np.intp)
    offer = d.offer[offered]
    promised = p.contract_expectation + offer * (p.offer_expectation - p.contract_expectation)
    adapted = np.maximum(delivered, p.contract_expectation)
    adapted -= m.expectation
    adapted *= EXPECTATION_ADAPTATION
    adapted += m.expectation
    adapted[offered] = np.maximum(m.expectation[offered], promised)
    m.expectation = adapted
    # an explicit offer makes the deal clear; clarity fades without renewal
    clarity = m.clarity * model.clarity_decay
    clarity[offered] = np.maximum(m.clarity[offered], offer)
    m.clarity = clarity

    due = np.flatnonzero(occ.occupied & (rng.random(n) < p.promise_event_rate))
    fulfilment = np.minimum(1.0, delivered[due] / np.maximum(m.expectation[due], 1e-9))
    kept = rng.random(n)[due] < p.promise_reliability * fulfilment
    keep, broke = due[kept], due[~kept]
    m.scar *= model.scar_decay
    gain = p.trust_gain * (1.0 - m.scar[keep]) * (1.0 - m.trust[keep])
    m.trust[keep] += gain
    loss = _break(model, broke)
    model.record_promise_totals(gain, 0.0 - loss)
    # benevolence: care shown week by week moves trust slowly (Mayer, Davis & Schoorman 1995)
    np.subtract(delivered, m.trust, out=tmp)
    tmp *= p.trust_drift
    tmp *= occf
    m.trust += tmp

    # LMX: reciprocal exchange of what each side brings
    target = 0.5 * m.citizenship                 # what the member brings ...
    np.multiply(0.25, m.trust, out=tmp)
    target += tmp
    np.multiply(0.25, m.perceived_competence, out=tmp)
    target += tmp
    target *= delivered                          # ... and the leader: their geometric mean
    np.sqrt(target, out=target)
    target *= (1.0 - AFFECT_WEIGHT)
    np.multiply(AFFECT_WEIGHT, m.liking, out=tmp)
    target += tmp
    target -= m.lmx
    target *= model.lmx_rate[stage]
    target *= occf
    m.lmx += target

    # relationship stage
    tenure = model.week - m.dyad_start_week
    up1 = (m.stage == STRANGER) & (tenure > p.onboarding_weeks) & (m.lmx >= 0.35)
    up2 = (m.stage == ACQUAINTANCE) & (m.lmx >= 0.65) & (m.trust >= 0.6)
    down = (m.stage == PARTNER) & ((m.lmx < 0.5) | (m.trust < 0.4))
    m.stage[up1] = ACQUAINTANCE
    m.stage[up2] = PARTNER
    m.stage[down] = ACQUAINTANCE
