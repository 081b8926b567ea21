"""The reference's agents: a member (one person at one desk) and a leader (one team).

Every rule of the weekly schedule (docs/ODD.md, section 7) is written out here once more, per
agent, in plain Python (``math``, no numpy arithmetic); the constants are written out again
too (not imported), so that a rule changed in the package but not here shows up as a
disagreement. Each agent draws its own random numbers by key (:mod:`lmxsim.draws` says who
draws what): a member in week ``w`` draws ``self.uniform("quit")``, i.e. the keyed uniform of
(run seed, "quit", its person key, w, draw 0); nothing depends on the order agents act in.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from lmxsim.draws import dyad_keys

# Written out again (not imported): the names and values are those of docs/ODD.md.
HIGH_QUALITY_FACTOR = math.log(4.0)
EXPECTATION_ADAPTATION = 0.02
LATITUDE_ADJUSTMENT = 0.2
CONTACT_MEMORY = 0.75
AFFECT_WEIGHT = 0.35
SCAR_DEPTH = 0.2
PERFORMANCE_MEMORY = 1.0 / 13.0
SUCCESS_ENGAGEMENT = 0.05
SUCCESS_VISIBILITY = 0.05
TOLERANCE_SAFETY = 0.03
DISPOSITION_WEIGHT = 0.35
WORK_WEEK_HOURS = 40.0
DEPARTURES_MEMORY = 13.0
STRANGER, ACQUAINTANCE, PARTNER = 0, 1, 2

POLICIES = ("reactive_in_crowd", "proactive_deal", "equal_split", "transactional", "similarity_bias",
            "laissez_faire", "distributed")
# the policies that draw random numbers (one uniform per member a week, purpose "policy"):
# a random rotation of the important assignments, or proactive_deal's jitter of them
ROTATES_ASSIGNMENTS = {"proactive_deal", "equal_split", "laissez_faire", "distributed"}


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def circle_similarity(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return 1.0 - 2.0 * min(d, 1.0 - d)


class RefMember(mesa.Agent):
    """One person at one desk, with every state variable a Python attribute.

    ``person_key`` is who the person is to the random numbers: ``slot << 32 | serial``, the
    desk's number and how many people sat there before."""

    def __init__(self, model, position: int, person_id: int, person_key: int, leader: "RefLeader"):
        super().__init__(model)
        self.position = position
        self.person_id = person_id
        self.person_key = person_key
        self.leader = leader
        self.neighbours = model.ties_of[position]   # the desk's collaboration ties (positions)
        # the week's decisions by the leader (set in RefLeader.decide)
        self.time_weight = self.offer = self.latitude = self.priority = 0.0
        self.decided_bonus = self.peer_leadership = self.reward_basis = 0.0
        self.promise = 0.45
        self.reward_contingency = 1.0
        # things that are this week's
        self.hours = self.support = 0.0
        self.talk = self.offer_made = 0.0   # leader hours of this week's deal talk; the offer those hours made
        self.assignment = False
        self.bonus = 0.0
        self.performance = 0.0
        self.ideas = self.successful_ideas = self.successes_this_week = 0
        self.tried = 0
        self.quitting = False

    # -- this person's own luck this week (keyed by person, week and purpose)
    def uniform(self, purpose: str, draw: int = 0) -> float:
        return self.model.luck.uniform(purpose, self.person_key, self.model.week, draw)

    def normal(self, purpose: str) -> float:
        return self.model.luck.normal(purpose, self.person_key, self.model.week)

    def poisson(self, purpose: str, lam: float) -> int:
        return self.model.luck.poisson(purpose, self.person_key, self.model.week, lam)

    def binomial(self, purpose: str, n: int, p: float) -> int:
        return self.model.luck.binomial(purpose, self.person_key, self.model.week, n, p)

    # -- 0. joining: what the person brings (keyed by person, week 0) and a fresh dyad
    def join(self, hire_week: int):
        p, luck, me = self.model.params, self.model.luck, self.person_key
        self.hire_week = hire_week
        self.competence = _clip(p.competence_mean + p.competence_spread * luck.normal("hire.competence", me, 0),
                                0.02, 0.98)
        self.creativity_trait = luck.beta22("hire.traits", me, 0, draw=0)
        self.mobility = luck.beta22("hire.traits", me, 0, draw=1)
        self.affectivity = luck.beta22("hire.traits", me, 0, draw=2)
        self.conscientiousness = luck.beta22("hire.traits", me, 0, draw=3)
        self.start_dyad()
        self.autonomy, self.psych_safety = 0.3, 0.5
        self.creativity = 0.3 * self.creativity_trait
        self.engagement, self.fairness, self.turnover_intention = 0.6, 0.8, 0.3
        self.strain = 0.0
        self.citizenship = self.citizenship_now()
        self.performance_avg = self.competence * p.base_effort   # a newcomer's expected output

    def start_dyad(self):
        """A new relationship with the leader, keyed by the dyad (this person, this leader):
        the same person meeting the same leader draws the same numbers."""
        model, p, leader = self.model, self.model.params, self.leader
        dyad = int(dyad_keys(np.int64(self.person_key), np.int64(leader.leader_id)))
        luck = model.luck
        self.dyad_start_week = model.week
        self.stage = STRANGER
        self.similarity = circle_similarity(luck.uniform("dyad.similarity", dyad, 0), leader.similarity_trait)
        z_lmx, z_trust = luck.normal_pair("dyad.start", dyad, 0)
        self.lmx = _clip(p.initial_lmx + 0.05 * z_lmx, 0.0, 1.0)
        self.trust = _clip(p.initial_trust + p.trust_propensity_sd * z_trust, 0.0, 1.0)
        self.scar = self.contact = self.clarity = 0.0
        self.in_group = False
        self.expectation = p.contract_expectation
        self.liking = 0.5 * self.similarity + 0.5 * luck.beta22("dyad.liking", dyad, 0)
        self.rater_bias = (p.similarity_bias * (self.similarity - 0.5)
                           + p.rater_idiosyncrasy * luck.normal("dyad.rater_bias", dyad, 0))
        self.perceived_competence = self.perceived_loyalty = _clip(0.5 + self.rater_bias, 0.0, 1.0)

    # -- 1. perception: the leader sees output (recent performance) and loyalty, not ability
    def perceive(self):
        p = self.model.params
        sd = p.perception_noise / math.sqrt(self.contact + 0.1)
        obs_c = _clip(self.performance_avg + self.rater_bias + sd * self.normal("perceive.competence"), 0.0, 1.0)
        obs_l = _clip(self.citizenship + self.rater_bias + sd * self.normal("perceive.loyalty"), 0.0, 1.0)
        self.perceived_competence += p.perception_gain * (obs_c - self.perceived_competence)
        self.perceived_loyalty += p.perception_gain * (obs_l - self.perceived_loyalty)

    @property
    def perceived_score(self) -> float:
        return 0.5 * (self.perceived_competence + self.perceived_loyalty)

    def onboarding(self) -> bool:
        return self.model.week - self.dyad_start_week <= self.model.params.onboarding_weeks

    # -- 3. exchange (after the leader has shared hours, deal talks and assignments)
    def readiness(self) -> float:
        """How much latitude this member can use: competence (1 - backing_need (1 - support))."""
        return self.competence * (1.0 - self.model.params.backing_need * (1.0 - self.support))

    def usable_latitude(self) -> float:
        return min(self.latitude, self.readiness())

    def excess_latitude(self) -> float:
        return max(0.0, self.latitude - self.readiness())

    def helping_hours(self) -> float:
        return self.peer_leadership * self.model.params.peer_hours

    def exchange(self):
        model, p = self.model, self.model.params
        effective = self.hours * p.contact_efficiency
        if self.peer_leadership:
            effective += self.peer_leadership * p.peer_hours * p.contact_efficiency * self.neighbour_mean(
                lambda other: other.competence * other.citizenship, 0.0)
        stage = self.stage
        self.support = 1.0 - math.exp(-effective / model.hours_scale[stage])
        self.contact = (CONTACT_MEMORY * self.contact
                        + (1 - CONTACT_MEMORY) * (self.hours + self.talk) * p.contact_efficiency)
        self.bonus = self.decided_bonus

        self.autonomy += LATITUDE_ADJUSTMENT * (self.latitude * p.empowerment_genuineness * self.trust - self.autonomy)

        delivered = 0.5 * self.support + 0.3 * self.usable_latitude() + 0.2 * float(self.assignment)
        self.expect(delivered)
        self.promises_fall_due(delivered)
        self.trust += p.trust_drift * (delivered - self.trust)

        member_brings = 0.5 * self.citizenship + 0.25 * self.trust + 0.25 * self.perceived_competence
        target = (1.0 - AFFECT_WEIGHT) * math.sqrt(delivered * member_brings) + AFFECT_WEIGHT * self.liking
        self.lmx += model.lmx_rate[stage] * (target - self.lmx)
        self.move_stage(stage)

    def expect(self, delivered: float):
        """An offer made raises the expectation to what the deal promises and clarifies the deal;
        without one, expectations adapt to what is delivered and clarity fades."""
        model, p = self.model, self.model.params
        offer = self.offer_made
        if offer > 0:
            promised = p.contract_expectation + offer * (self.promise - p.contract_expectation)
            self.expectation = max(self.expectation, promised)
            self.clarity = max(self.clarity, offer)
        else:
            self.expectation += EXPECTATION_ADAPTATION * (max(delivered, p.contract_expectation) - self.expectation)
            self.clarity *= model.clarity_decay

    def promises_fall_due(self, delivered: float):
        """An obligation falls due with probability promise_event_rate: a promise of the deal with
        probability promise_event_rate * clarity (kept as far as delivery meets the expectation), else
        the basic contract (breached as far as delivery falls short of it; meeting it earns nothing)."""
        model, p = self.model, self.model.params
        self.scar *= model.scar_decay
        u = self.uniform("promise.due")
        if u < p.promise_event_rate * self.clarity:
            fulfilment = min(1.0, delivered / max(self.expectation, 1e-9))
            if self.uniform("promise.kept") < p.promise_reliability * fulfilment:
                self.trust += p.trust_gain * (1.0 - self.scar) * (1.0 - self.trust)
                model.week_stats["promises_kept"] += 1
            else:
                self.break_promise()
                model.week_stats["promises_broken"] += 1
        elif u < p.promise_event_rate:
            shortfall = 1.0 - min(1.0, delivered / max(p.contract_expectation, 1e-9))
            if self.uniform("promise.kept") < shortfall:
                self.break_promise()
                model.week_stats["breaches"] += 1

    def move_stage(self, stage: int):
        """Stranger -> acquaintance after onboarding; acquaintance <-> partnership on LMX, trust and
        sustained contact (this week's contact against partner_contact_hours)."""
        p = self.model.params
        tenure = self.model.week - self.dyad_start_week
        if stage == STRANGER and tenure > p.onboarding_weeks and self.lmx >= 0.35:
            self.stage = ACQUAINTANCE
        elif (stage == ACQUAINTANCE and self.lmx >= 0.65 and self.trust >= 0.6
              and self.contact >= p.partner_contact_hours):
            self.stage = PARTNER
        elif stage == PARTNER and (self.lmx < 0.5 or self.trust < 0.4 or self.contact < 0.5 * p.partner_contact_hours):
            self.stage = ACQUAINTANCE

    def break_promise(self) -> float:
        p = self.model.params
        loss = min(1.0, p.trust_gain * p.trust_loss_ratio) * self.trust
        self.trust -= loss
        self.scar += SCAR_DEPTH * (1.0 - self.scar)
        self.clarity *= (1.0 - SCAR_DEPTH)
        return loss

    def neighbour_mean(self, value, default: float) -> float:
        """Mean of ``value(colleague)`` over the occupied positions this desk is tied to."""
        seats = self.model.seats
        total, count = 0.0, 0
        for j in self.neighbours:
            other = seats[j]
            if other is not None:
                total += value(other)
                count += 1
        return total / count if count else default

    # -- 4. work
    def citizenship_now(self) -> float:
        return self.engagement * (0.25 + 0.15 * self.lmx + 0.45 * self.conscientiousness + 0.15 * self.clarity)

    def work(self):
        p = self.model.params
        heads = self.leader.headcount
        line_of_sight = self.reward_contingency + (1.0 - self.reward_contingency) / max(heads, 1.0)
        bonus_on_output = self.bonus * (1.0 - self.reward_basis)
        routine = p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * bonus_on_output * line_of_sight
        self.citizenship = self.citizenship_now()
        effort = routine + (1.0 - routine) * self.citizenship
        s = p.performance_noise
        noise = math.exp(s * self.normal("work.noise") - 0.5 * s * s)
        self.performance = self.output(effort, noise)
        self.performance_avg += PERFORMANCE_MEMORY * (self.performance - self.performance_avg)
        self.competence += self.competence_growth(effort)

    def output(self, effort: float, noise: float) -> float:
        """competence * effort * assignment * empowerment (usable autonomy) * overreach (latitude beyond
        readiness) * safety * time not spent helping * ramp-up * noise"""
        p = self.model.params
        ready = self.readiness()
        empowered = 1.0 + p.empowerment_gain * min(self.autonomy, ready)
        overreach = 1.0 - p.overreach_penalty * max(0.0, self.latitude - ready)
        safety = 1.0 + p.safety_performance * (self.psych_safety - 0.5)
        clear = 1.0 + p.clarity_performance * self.clarity
        own_time = 1.0 - self.helping_hours() / WORK_WEEK_HOURS
        return (self.competence * effort * (1.0 + p.assignment_boost * self.assignment) * empowered * overreach
                * safety * clear * own_time * self.know_how() * noise)

    def know_how(self) -> float:
        """min(1, 0.5 + 0.5 tenure / ramp_up_weeks): a newcomer's ramp-up"""
        tenure = self.model.week - self.hire_week
        return min(1.0, 0.5 + 0.5 * tenure / max(self.model.params.ramp_up_weeks, 1e-9))

    def competence_growth(self, effort: float) -> float:
        """(coaching and challenge + practice) * climate * gap - forgetting"""
        p = self.model.params
        learning = p.learning_rate * (0.6 * self.support + 0.4 * self.assignment) + p.practice_rate * effort
        return learning * (0.5 + self.psych_safety) * (1.0 - self.competence) - p.forgetting_rate * self.competence

    # -- 5. creativity and innovation
    def get_inspired(self):
        """Collaborators' successes of last week inspire (read before anyone's are replaced)."""
        self.inspired = self.neighbour_mean(lambda other: 1.0 if other.successes_this_week > 0 else 0.0, 0.0)
        self.colleagues_know_how = self.neighbour_mean(lambda other: other.know_how(), 1.0)

    def innovate(self):
        """Creativity moves; ideas arise, are tried as far as the member feels safe, succeed or
        fail; failures meet tolerance or blame; successes engage and are seen."""
        p = self.model.params
        crowding = p.crowding_out * self.bonus * self.reward_contingency * (1.0 - self.reward_basis)
        target = self.creativity_trait * (0.3 * self.autonomy + 0.3 * self.psych_safety
                                          + 0.4 * self.engagement * (1.0 - crowding))
        self.creativity += p.attitude_rate * (target - self.creativity)
        self.creativity += min(p.inspiration * self.inspired, 1.0) * (1.0 - self.creativity)
        creative_reward = 1.0 + p.creative_reward_gain * self.bonus * self.reward_basis
        ideas = self.poisson("ideas.count",
                             p.idea_rate * self.creativity * (0.25 + 0.75 * self.autonomy) * creative_reward)
        tried = successes = 0
        if ideas:
            tried = self.binomial("ideas.tried", ideas, self.psych_safety)
            successes = self.binomial("ideas.success", tried, self.success_probability())
            punished = self.binomial("ideas.punished", tried - successes, 1.0 - p.failure_tolerance)
            tolerated = tried - successes - punished
            s = self.psych_safety * (1.0 - p.failure_punishment) ** punished
            self.psych_safety = s + (1.0 - s) * (1.0 - (1.0 - TOLERANCE_SAFETY) ** tolerated)
            self.engagement += (1.0 - self.engagement) * (1.0 - (1.0 - SUCCESS_ENGAGEMENT) ** successes)
            pc = self.perceived_competence
            self.perceived_competence = pc + (1.0 - pc) * (1.0 - (1.0 - SUCCESS_VISIBILITY) ** successes)
        self.tried = tried
        self.ideas += ideas
        self.successful_ideas += successes
        self.successes_this_week = successes

    def success_probability(self) -> float:
        p = self.model.params
        return (p.idea_success * (0.3 + 0.7 * self.competence) * (0.3 + 0.7 * self.support)
                * (1.0 - self.excess_latitude()) * self.know_how() * self.colleagues_know_how)

    # -- 6. comparison and spread
    def compare(self):
        p = self.model.params
        spread = p.differentiation_cost * self.leader.sd_lmx
        fair_target = max(0.0, 1.0 - p.comparison_sensitivity * max(0.0, self.leader.mean_lmx - self.lmx) - spread)
        self.fairness += p.attitude_rate * (fair_target - self.fairness)
        safety_target = max(0.0, 0.6 * self.trust + 0.4 * p.failure_tolerance - spread)
        self.psych_safety += p.attitude_rate * (safety_target - self.psych_safety)

    def look_at_colleagues(self):
        self.colleagues_safety = self.neighbour_mean(lambda other: other.psych_safety, self.psych_safety)

    def spread_safety(self):
        self.psych_safety += self.model.params.safety_diffusion * (self.colleagues_safety - self.psych_safety)

    # -- 7. attitudes and quitting
    def update_attitudes(self):
        self.feel_strain()
        self.engage()
        self.intend_to_quit()

    def feel_strain(self):
        """strain target = min(1, excess latitude + helping_strain * helping hours + vacancy_strain * vacant share)"""
        p = self.model.params
        target = min(1.0, self.excess_latitude() + p.helping_strain * self.helping_hours()
                     + p.vacancy_strain * self.leader.vacant_share)
        self.strain += p.attitude_rate * (target - self.strain)

    def engage(self):
        p = self.model.params
        situation = (0.3 * self.lmx + 0.2 * self.autonomy + 0.15 * self.fairness + 0.2 * self.support
                     + 0.15 * self.clarity)
        target = max(0.0, DISPOSITION_WEIGHT * self.affectivity + (1.0 - DISPOSITION_WEIGHT) * situation
                     - p.strain_cost * self.strain)
        self.engagement += p.attitude_rate * (target - self.engagement)

    def intend_to_quit(self):
        """... + strain + contagion: the team's recent quit rate beyond the usual (Felps et al. 2009)"""
        p = self.model.params
        contagion = p.turnover_contagion * max(0.0, self.leader.departures - p.annual_base_turnover)
        intention = min(1.0, 0.5 * self.mobility + 0.25 * (1.0 - self.trust) + 0.15 * (1.0 - self.engagement)
                        + 0.1 * (1.0 - self.fairness) + p.strain_cost * self.strain + contagion)
        self.turnover_intention += p.attitude_rate * (intention - self.turnover_intention)

    def consider_quitting(self):
        model, p = self.model, self.model.params
        tenure = model.week - self.hire_week
        hazard = model.weekly_base_hazard * math.exp(p.quit_sensitivity * (self.turnover_intention - 0.5))
        if tenure < 52:
            hazard *= p.first_year_hazard
        self.quitting = self.uniform("quit") < 1.0 - math.exp(-hazard)


class RefLeader(mesa.Agent):
    """The leader of one team: policy, hours, similarity trait, and the team's positions."""

    def __init__(self, model, team: int, policy: str, leader_id: int):
        super().__init__(model)
        self.team = team
        self.policy = policy
        self.policy_since_week = 0
        self.hours_per_week = model.params.leader_hours_per_week
        self.leader_id = leader_id
        self.similarity_trait = model.luck.uniform("leader.trait", leader_id, 0)
        self.positions: list[int] = []
        self.time_use = 1.0
        self.departures = 0.0   # the team's recent quit rate, per year (13-week moving average)

    @property
    def members(self) -> list[RefMember]:
        """Current members in position order."""
        seats = self.model.seats
        return [seats[i] for i in self.positions if seats[i] is not None]

    @property
    def headcount(self) -> int:
        return len(self.members)


    def in_group_capacity(self) -> int:
        p = self.model.params
        return max(math.floor(self.hours_per_week * p.contact_efficiency
                              / (p.hours_scale_stranger * HIGH_QUALITY_FACTOR)), 1)

    # -- 2. the policy decides, member by member
    def decide(self):
        model, week = self.model, self.model.week
        review_week = model.is_review_week
        policy = self.policy
        draw = model.policy_draw.get(policy)   # the draw index of this policy's numbers this week
        self.time_use = {"transactional": 0.5, "laissez_faire": 0.2, "distributed": 0.7}.get(policy, 1.0)
        for member in self.members:
            member.decided_bonus, member.reward_contingency, member.peer_leadership = 0.0, 1.0, 0.0
            member.promise, member.reward_basis = 0.45, 0.0
            rotation = member.uniform("policy", draw) if draw is not None else None
            if policy in ("reactive_in_crowd", "similarity_bias"):
                ig = member.in_group
                after_review = (week - 1) % model.params.review_interval_weeks == 0
                renew = after_review or self.policy_since_week == week
                member.time_weight = 1.0 if ig else 0.15
                member.offer = float(ig and renew)
                member.latitude = 0.8 if ig else 0.3
                member.priority = self.score(member) + float(ig)
            elif policy == "proactive_deal":
                onboarding = member.onboarding()
                renew = onboarding or review_week or self.policy_since_week == week
                member.time_weight = 1.0 + (1.0 - member.lmx) + float(onboarding)
                member.offer = float(renew)
                member.latitude = _clip(0.3 + 0.6 * member.perceived_competence, 0.0, 1.0)
                member.priority = member.perceived_score + 0.3 * rotation
            else:  # the uniform policies: the same for everyone
                member.time_weight, member.offer, member.priority = 1.0, 0.0, rotation
                if policy == "equal_split":
                    member.latitude = 0.5
                elif policy == "transactional":
                    member.latitude, member.decided_bonus = 0.2, 1.0
                    member.priority = member.perceived_competence
                elif policy == "laissez_faire":
                    member.latitude = 0.6
                elif policy == "distributed":
                    renew = member.onboarding() or review_week or self.policy_since_week == week
                    member.latitude, member.decided_bonus, member.reward_contingency = 0.7, 0.3, 0.0
                    member.peer_leadership = 0.5
                    member.offer = 0.7 * float(renew)
                else:
                    raise ValueError(f"the reference model does not implement policy {policy!r}")

    def score(self, member: RefMember) -> float:
        if self.policy == "similarity_bias":
            return 0.5 * member.perceived_score + 0.5 * member.similarity
        return member.perceived_score

    def share_time(self):
        """Deal talks first (offer * deal_hours each, all scaled down when the hours cannot fund them);
        the hours left in proportion to the time weights; the scarce assignments to the top priorities."""
        p = self.model.params
        members = self.members
        budget = self.hours_per_week * self.time_use
        wanted = sum(member.offer * p.deal_hours for member in members)
        funded = min(1.0, budget / wanted) if wanted > 0 else 1.0
        for member in members:
            member.talk = member.offer * p.deal_hours * funded
            member.offer_made = member.offer * funded
        left = max(0.0, budget - sum(member.talk for member in members))
        total = 0.0
        for member in members:
            total += member.time_weight
        for member in members:
            member.hours = (member.time_weight / total if total > 0 else 0.0) * left
            member.assignment = False
        ranked = sorted(members, key=lambda m: (-m.priority, m.position))
        for member in ranked[:p.assignments_per_team]:
            member.assignment = True

    def team_climate(self):
        """Team mean and (population) standard deviation of LMX (comparison and differentiation), and
        the share of the team's desks that are vacant (the stayers' extra work)."""
        members = self.members
        self.mean_lmx = sum(m.lmx for m in members) / len(members) if members else 0.0
        self.sd_lmx = (math.sqrt(sum((m.lmx - self.mean_lmx) ** 2 for m in members) / len(members))
                       if members else 0.0)
        self.vacant_share = 1.0 - len(members) / len(self.positions) if self.positions else 0.0

    def count_departures(self, quits: int):
        """departures += (52 quits / positions - departures) / 13"""
        rate = 52.0 * quits / len(self.positions) if self.positions else 0.0
        self.departures += (rate - self.departures) / DEPARTURES_MEMORY

    # -- 8. quarterly review
    def review(self):
        p = self.model.params
        members = self.members
        if self.policy in ("reactive_in_crowd", "similarity_bias"):
            proven = [m for m in members if self.score(m) >= p.in_group_threshold]
            proven.sort(key=lambda m: (-self.score(m), m.position))
            chosen = set(id(m) for m in proven[:self.in_group_capacity()])
            for m in members:
                m.in_group = id(m) in chosen
        else:
            for m in members:
                m.in_group = m.perceived_score >= p.in_group_threshold
