"""Phase 5 (ODD 7.5) - creativity and innovation: ideas arise, some are tried, some succeed.

Creativity moves (at ``attitude_rate``) towards
``creativity_trait (0.3 autonomy + 0.3 psych_safety + 0.4 engagement (1 - crowding))``,
where ``crowding = crowding_out * bonus * reward_contingency * (1 - reward_basis)``: an
individual reward for output crowds out intrinsic motivation, one for creativity does not
(Cerasoli et al. 2016; Byron & Khazanchi 2012). Collaborators' successes of the previous week
inspire (``inspiration``). LMX is not in the target: it acts through autonomy, safety and
engagement.

Ideas arrive as Poisson events with rate
``idea_rate * creativity (0.25 + 0.75 autonomy) (1 + creative_reward_gain * bonus * reward_basis)``:
LMX matters more where autonomy is high (Volmer, Spurk & Niessen 2012), and a
creativity-contingent reward raises the rate (Byron & Khazanchi 2012). An idea is tried with
probability ``psych_safety``. A tried idea succeeds with probability
``idea_success (0.3 + 0.7 competence) (0.3 + 0.7 support) (1 - excess latitude) know-how
collaborators' know-how``, excess latitude being ``max(0, latitude - readiness)`` (see
exchange) and know-how the ramp-up of work (a newcomer's, 0.5 rising to 1 over
``ramp_up_weeks``): an under-resourced attempt, or one beyond what the member is ready for,
usually fails (Pierce & Aguinis 2013), and so does one made without people who know the place -
turnover costs the stayers lost know-how and collaborators. Each
failure is met with tolerance (probability ``failure_tolerance``: safety closes 3% of its gap)
or blame (safety falls by the share ``failure_punishment``; Edmondson 1999). Successes are the
model's innovation; each raises the inventor's engagement (``SUCCESS_ENGAGEMENT`` of the gap)
and the leader's view of their competence (``SUCCESS_VISIBILITY``).
"""

from __future__ import annotations

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.draws import weekly
from lmxsim.submodels.attitudes import towards
from lmxsim.submodels.exchange import excess_latitude, readiness
from lmxsim.submodels.work import know_how

SUCCESS_ENGAGEMENT = 0.05  # engagement gap closed per success
SUCCESS_VISIBILITY = 0.05  # leader's competence view gap closed per success
TOLERANCE_SAFETY = 0.03    # safety gap closed per tolerated failure


def innovate(model, here, d) -> None:
    """Phase 5: creativity moves, ideas arise, some are tried, some succeed."""
    m, p, luck, per_org = model.members, model.params, weekly(model), model.per_org
    m.creativity, rate = _creativity(
        m.org, here.present, here.neighbour_mean(m.successes_this_week > 0), d.reward_contingency, d.reward_basis,
        m.creativity, m.creativity_trait, m.autonomy, m.psych_safety, m.engagement, m.bonus, per_org("crowding_out"),
        per_org("attitude_rate"), per_org("inspiration"), per_org("idea_rate"), per_org("creative_reward_gain"))
    ideas = luck.poisson("ideas.count", rate)
    # the risky steps only concern the few members with an idea this week
    who = np.flatnonzero(ideas)
    p_who = p.at(who)
    own = _know_how(m.org, model.week - m.hire_week, per_org("ramp_up_weeks"))
    odds = _odds(who, m.org, m.competence, m.support, d.latitude, own, here.neighbour_mean(own, default=1.0, at=who),
                 per_org("backing_need"), per_org("idea_success"))
    tried = luck.binomial("ideas.tried", ideas[who], m.psych_safety[who], at=who)
    successes = luck.binomial("ideas.success", tried, odds, at=who)
    failures = tried - successes
    punished = luck.binomial("ideas.punished", failures, 1.0 - p_who.failure_tolerance, at=who)
    m.psych_safety[who], m.engagement[who], m.perceived_competence[who] = _after_ideas(
        who, m.org, m.psych_safety, m.engagement, m.perceived_competence, successes, punished, failures - punished,
        per_org("failure_punishment"))
    m.ideas[who] += ideas[who]
    m.successful_ideas[who] += successes
    m.successes_this_week = np.zeros(len(here), dtype=np.int32)
    m.successes_this_week[who] = successes
    model.week_stats["ideas_tried"] = np.bincount(m.org[who], weights=tried, minlength=here.n_orgs).astype(np.int64)
    model.week_stats["successes"] = np.bincount(m.org[who], weights=successes, minlength=here.n_orgs).astype(np.int64)
    model.week_stats["innovation_value"] = here.org_total((0.5 + m.competence) * m.successes_this_week)


@kernel
def _creativity(org, present, share_succeeding, reward_contingency, reward_basis, creativity_before,
                creativity_trait, autonomy, psych_safety, engagement, bonus, crowding_out, attitude_rate, inspiration,
                idea_rate_, creative_reward_gain):
    """Creativity moves towards its target, collaborators' successes inspire, and each position's
    idea rate this week."""
    n = org.size
    creativity, rate = np.empty(n), np.empty(n)
    for i in range(n):
        o = org[i]
        target = creativity_target(autonomy[i], psych_safety[i], engagement[i], creativity_trait[i],
                                   crowding_out[o] * bonus[i] * (reward_contingency[i] * (1.0 - reward_basis[i])))
        creativity[i] = inspire(towards(creativity_before[i], target, attitude_rate[o], present[i]),
                                share_succeeding[i], inspiration[o], present[i])
        rate[i] = idea_rate(idea_rate_[o], creativity[i], autonomy[i], creative_reward_gain[o],
                            bonus[i] * reward_basis[i]) * present[i]
    return creativity, rate


@kernel
def _know_how(org, tenure, ramp_up_weeks):
    """Each position's know-how (see work)."""
    own = np.empty(org.size)
    for i in range(org.size):
        own[i] = know_how(tenure[i], ramp_up_weeks[org[i]])
    return own


@kernel
def _odds(who, org, competence, support, latitude, own, collaborators_know_how, backing_need, idea_success):
    """The chance that an idea tried by each member ``who`` succeeds."""
    odds = np.empty(who.size)
    for k in range(who.size):
        i, o = who[k], org[who[k]]
        overreach = excess_latitude(latitude[i], readiness(competence[i], support[i], backing_need[o]))
        odds[k] = success_probability(competence[i], support[i], overreach, own[i] * collaborators_know_how[k],
                                      idea_success[o])
    return odds


@kernel
def _after_ideas(who, org, psych_safety, engagement, perceived_competence, successes, punished, tolerated,
                 failure_punishment):
    """Safety after each member's failures (punished, tolerated); engagement and the leader's view of
    their competence after their successes - of the members ``who``."""
    safety, engaged, seen = np.empty(who.size), np.empty(who.size), np.empty(who.size)
    for k in range(who.size):
        i = who[k]
        safety[k] = safety_after_failures(psych_safety[i], punished[k], tolerated[k], failure_punishment[org[i]])
        engaged[k] = closer_to_one(engagement[i], SUCCESS_ENGAGEMENT, successes[k])
        seen[k] = closer_to_one(perceived_competence[i], SUCCESS_VISIBILITY, successes[k])
    return safety, engaged, seen


@rule
def creativity_target(autonomy, psych_safety, engagement, creativity_trait, crowding):
    """target = creativity_trait (0.3 autonomy + 0.3 safety + 0.4 engagement (1 - crowding)),
    crowding = crowding_out * bonus * reward_contingency * (1 - reward_basis): an individual reward
    for output crowds intrinsic motivation out; one for creativity does not (Byron & Khazanchi 2012)"""
    return (0.3 * autonomy + 0.3 * psych_safety + 0.4 * engagement * (1.0 - crowding)) * creativity_trait


@rule
def inspire(creativity, share_succeeding, inspiration, present):
    """creativity += min(1, inspiration * share of collaborators who succeeded last week) (1 - creativity)"""
    return creativity + min(share_succeeding * inspiration, 1.0) * (1.0 - creativity) * present


@rule
def idea_rate(idea_rate, creativity, autonomy, creative_reward_gain, bonus_on_ideas):
    """rate = idea_rate * creativity * (0.25 + 0.75 autonomy) * (1 + creative_reward_gain * bonus on ideas)"""
    return idea_rate * creativity * (0.75 * autonomy + 0.25) * (1.0 + creative_reward_gain * bonus_on_ideas)


@rule
def success_probability(competence, support, overreach, known, idea_success):
    """p = idea_success (0.3 + 0.7 competence) (0.3 + 0.7 support) (1 - excess latitude)
    * know-how * collaborators' mean know-how: an attempt beyond what the member is ready for
    usually fails, and an idea needs people who know the place - a newcomer's, or one whose
    experienced collaborators have left, fails more often (lost know-how and collaborators)"""
    return idea_success * (0.3 + 0.7 * competence) * (0.3 + 0.7 * support) * (1.0 - overreach) * known


@rule
def closer_to_one(value, step, events):
    """``events`` times: value += step (1 - value)  (the count as a float: a power with a whole-number
    exponent would be compiled as repeated multiplication, not the C library's ``pow``)"""
    return value + (1.0 - value) * (1.0 - (1.0 - step) ** float(events))


@rule
def safety_after_failures(safety, punished, tolerated, failure_punishment):
    """Each punished failure: safety *= 1 - failure_punishment; each tolerated one closes 3% of the gap to 1."""
    return closer_to_one(safety * (1.0 - failure_punishment) ** float(punished), TOLERANCE_SAFETY, tolerated)
