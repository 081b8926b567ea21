"""A straightforward per-agent Mesa implementation of lmxsim's weekly rules: the reference.

Every member is a Mesa agent holding its own state as plain Python floats; every rule of
the weekly schedule (docs/ODD.md, section 7) is written out once more, per agent, in
plain Python (``math``, no numpy arithmetic), and run phase by phase through Mesa's
AgentSet: ``model.agents_by_type[RefMember].do("perceive")`` and so on. Leaders are
agents too and do the team-level work (sharing their hours, handing out the scarce
assignments, reviews).

It is kept outside the package on purpose. It exists to measure against: the test
``tests/test_reference_agreement.py`` checks that it and :class:`lmxsim.LMXModel` agree,
and ``benchmarks/run_all.py`` times both.

Random numbers. The vectorised model draws each phase's random numbers in bulk from the
model's ``numpy.random.Generator`` - e.g. ``rng.standard_normal(n)`` over all n positions,
``rng.poisson(rates)``, ``rng.binomial`` only for the members with ideas. This reference
draws the same arrays from the same Generator in the same order (``PhaseDraws``) and
hands each agent its element (``draws[self.position]``), so both implementations see the
same random numbers and their trajectories can be compared to ~1e-9. Where a draw's
parameters come from the agents (the Poisson idea rates, the binomial trials), the agents
first compute them, the model gathers them in position order, draws once, and hands the
results back. Everything else - every rule - is computed per agent in Python.

The organisation's collaboration ties and the initial tenure distribution are built with
the package's own generators (``lmxsim.organisation``): they are the model's structure,
not its weekly rules. Only the ``default`` scenario's weekly schedule is implemented
(scenario events are not), plus ``set_policy`` (a leader switching policy mid-run).

Usage::

    from reference_model import ReferenceModel
    ref = ReferenceModel(policy="proactive_deal", seed=1, n_teams=4, team_size=6, weeks=52)
    ref.run()
    ref.model_frame()        # same columns as LMXModel.model_frame()
"""

from __future__ import annotations

import math
from collections import deque

import mesa
import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim.params import Params

# ----------------------------------------------------------------------------- constants
# Written out again (not imported) so that a change in the package's rules shows up as a
# disagreement. The names and values are those of docs/ODD.md.
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
TURNOVER_WINDOW_WEEKS = 13
STRANGER, ACQUAINTANCE, PARTNER = 0, 1, 2

POLICIES = ("reactive_in_crowd", "proactive_deal", "equal_split", "transactional", "similarity_bias",
            "laissez_faire", "distributed")
# policies whose decisions include a random rotation of the important assignments
_DRAWS_ASSIGNMENTS = {"proactive_deal", "equal_split", "laissez_faire", "distributed"}


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def circle_similarity(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return 1.0 - 2.0 * min(d, 1.0 - d)


# ----------------------------------------------------------------------------- agents
class RefMember(mesa.Agent):
    """One person in one position, with every state variable a Python attribute."""

    def __init__(self, model: "ReferenceModel", position: int, person_id: int, team: "RefLeader"):
        super().__init__(model)
        self.position = position
        self.person_id = person_id
        self.leader = team
        self.neighbours = model.ties_of[position]   # the desk's collaboration ties (positions)
        # the week's decisions by the leader (set in RefLeader.decide)
        self.time_weight = self.offer = self.latitude = self.priority = 0.0
        self.decided_bonus = self.peer_leadership = 0.0
        self.reward_contingency = 1.0
        # things that are this week's (reset at hire as in the vectorised model's arrays)
        self.hours = self.support = 0.0
        self.assignment = False
        self.bonus = 0.0
        self.performance = 0.0
        self.ideas = self.successful_ideas = self.successes_this_week = 0
        self.new_ideas = 0
        self.rate = 0.0

    # -- 1. perception
    def perceive(self):
        p, d = self.model.params, self.model.draws
        sd = p.perception_noise / math.sqrt(self.contact + 0.1)
        obs_c = _clip(self.competence + self.rater_bias + sd * d.perceive_competence[self.position], 0.0, 1.0)
        obs_l = _clip(self.citizenship + self.rater_bias + sd * d.perceive_loyalty[self.position], 0.0, 1.0)
        self.perceived_competence += p.perception_gain * (obs_c - self.perceived_competence)
        self.perceived_loyalty += p.perception_gain * (obs_l - self.perceived_loyalty)

    @property
    def perceived_score(self) -> float:
        return 0.5 * (self.perceived_competence + self.perceived_loyalty)

    def onboarding(self) -> bool:
        return self.model.week - self.dyad_start_week <= self.model.params.onboarding_weeks

    # -- 3. exchange (after the leader has shared hours and assignments)
    def exchange(self):
        model, p, d = self.model, self.model.params, self.model.draws
        effective = self.hours * p.contact_efficiency
        if self.peer_leadership:
            effective += self.peer_leadership * p.peer_hours * p.contact_efficiency * self.neighbour_mean(
                lambda other: other.competence * other.citizenship, 0.0)
        stage = self.stage
        self.support = 1.0 - math.exp(-effective / model.hours_scale[stage])
        self.contact = CONTACT_MEMORY * self.contact + (1 - CONTACT_MEMORY) * self.hours * p.contact_efficiency
        self.bonus = self.decided_bonus

        self.autonomy += LATITUDE_ADJUSTMENT * (self.latitude * p.empowerment_genuineness * self.trust - self.autonomy)

        delivered = 0.5 * self.support + 0.3 * self.latitude + 0.2 * float(self.assignment)
        if self.offer > 0:
            promised = p.contract_expectation + self.offer * (p.offer_expectation - p.contract_expectation)
            self.expectation = max(self.expectation, promised)
            self.clarity = max(self.clarity, self.offer)
        else:
            self.expectation += EXPECTATION_ADAPTATION * (max(delivered, p.contract_expectation) - self.expectation)
            self.clarity *= model.clarity_decay

        self.scar *= model.scar_decay
        if d.promise_due[self.position] < p.promise_event_rate:
            fulfilment = min(1.0, delivered / max(self.expectation, 1e-9))
            if d.promise_kept[self.position] < p.promise_reliability * fulfilment:
                gain = p.trust_gain * (1.0 - self.scar) * (1.0 - self.trust)
                self.trust += gain
                model.promise_kept(self, gain)
            else:
                model.promise_broken(self, self.break_promise())
        self.trust += p.trust_drift * (delivered - self.trust)

        member_brings = 0.5 * self.citizenship + 0.25 * self.trust + 0.25 * self.perceived_competence
        target = (1.0 - AFFECT_WEIGHT) * math.sqrt(delivered * member_brings) + AFFECT_WEIGHT * self.liking
        self.lmx += model.lmx_rate[stage] * (target - self.lmx)

        tenure = model.week - self.dyad_start_week
        if stage == STRANGER and tenure > p.onboarding_weeks and self.lmx >= 0.35:
            self.stage = ACQUAINTANCE
        elif stage == ACQUAINTANCE and self.lmx >= 0.65 and self.trust >= 0.6:
            self.stage = PARTNER
        elif stage == PARTNER and (self.lmx < 0.5 or self.trust < 0.4):
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
        p, d = self.model.params, self.model.draws
        heads = self.leader.headcount
        line_of_sight = self.reward_contingency + (1.0 - self.reward_contingency) / max(heads, 1.0)
        routine = p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * self.bonus * line_of_sight
        self.citizenship = self.citizenship_now()
        effort = routine + (1.0 - routine) * self.citizenship
        s = p.performance_noise
        noise = math.exp(s * d.performance[self.position] - 0.5 * s * s)
        overreach = p.overreach_penalty * max(0.0, self.autonomy - self.competence)
        self.performance = (self.competence * effort * (1.0 + p.assignment_boost * self.assignment)
                            * (1.0 - overreach) * noise)
        self.performance_avg += PERFORMANCE_MEMORY * (self.performance - self.performance_avg)
        growth = p.learning_rate * (0.6 * self.support + 0.4 * self.assignment) * (1.0 - self.competence)
        self.competence += growth - p.forgetting_rate * self.competence

    # -- 5. creativity and innovation (ideas are drawn by the model between these steps)
    def get_inspired(self):
        """Collaborators' successes of last week inspire (read before anyone's are replaced)."""
        self.inspired = self.neighbour_mean(lambda other: 1.0 if other.successes_this_week > 0 else 0.0, 0.0)

    def update_creativity(self):
        p = self.model.params
        crowding = p.crowding_out * self.bonus * self.reward_contingency
        target = self.creativity_trait * (0.3 * self.autonomy + 0.3 * self.psych_safety
                                          + 0.4 * self.engagement * (1.0 - crowding))
        self.creativity += p.attitude_rate * (target - self.creativity)
        self.creativity += min(p.inspiration * self.inspired, 1.0) * (1.0 - self.creativity)
        self.rate = p.idea_rate * self.creativity * (0.25 + 0.75 * self.autonomy)

    def success_probability(self) -> float:
        p = self.model.params
        return p.idea_success * (0.3 + 0.7 * self.competence) * (0.3 + 0.7 * self.support)

    def learn_from_ideas(self):
        """Failures meet tolerance or blame; successes engage and are seen."""
        p = self.model.params
        n_ideas, successes = self.new_ideas, 0
        if n_ideas:
            tried, successes, punished = self.tried, self.successes, self.punished
            tolerated = tried - successes - punished
            s = self.psych_safety * (1.0 - p.failure_punishment) ** punished
            self.psych_safety = s + (1.0 - s) * (1.0 - (1.0 - TOLERANCE_SAFETY) ** tolerated)
            self.engagement += (1.0 - self.engagement) * (1.0 - (1.0 - SUCCESS_ENGAGEMENT) ** successes)
            pc = self.perceived_competence
            self.perceived_competence = pc + (1.0 - pc) * (1.0 - (1.0 - SUCCESS_VISIBILITY) ** successes)
        self.ideas += n_ideas
        self.successful_ideas += successes
        self.successes_this_week = successes

    # -- 6. comparison and spread
    def compare(self):
        p = self.model.params
        fair_target = 1.0 - p.comparison_sensitivity * max(0.0, self.leader.mean_lmx - self.lmx)
        self.fairness += p.attitude_rate * (fair_target - self.fairness)
        safety_target = 0.6 * self.trust + 0.4 * p.failure_tolerance
        self.psych_safety += p.attitude_rate * (safety_target - self.psych_safety)

    def look_at_colleagues(self):
        self.colleagues_safety = self.neighbour_mean(lambda other: other.psych_safety, self.psych_safety)

    def spread_safety(self):
        self.psych_safety += self.model.params.safety_diffusion * (self.colleagues_safety - self.psych_safety)

    # -- 7. attitudes and quitting
    def update_attitudes(self):
        p = self.model.params
        situation = (0.3 * self.lmx + 0.2 * self.autonomy + 0.15 * self.fairness + 0.2 * self.support
                     + 0.15 * self.clarity)
        target = DISPOSITION_WEIGHT * self.affectivity + (1.0 - DISPOSITION_WEIGHT) * situation
        self.engagement += p.attitude_rate * (target - self.engagement)
        intention = (0.5 * self.mobility + 0.25 * (1.0 - self.trust) + 0.15 * (1.0 - self.engagement)
                     + 0.1 * (1.0 - self.fairness))
        self.turnover_intention += p.attitude_rate * (intention - self.turnover_intention)

    def consider_quitting(self):
        model, p = self.model, self.model.params
        tenure = model.week - self.hire_week
        hazard = model.weekly_base_hazard * math.exp(p.quit_sensitivity * (self.turnover_intention - 0.5))
        if tenure < 52:
            hazard *= p.first_year_hazard
        self.quitting = model.draws.quit[self.position] < 1.0 - math.exp(-hazard)


class RefLeader(mesa.Agent):
    """The leader of one team: policy, hours, similarity trait, and the team's positions."""

    def __init__(self, model: "ReferenceModel", team: int, policy: str, similarity_trait: float):
        super().__init__(model)
        self.team = team
        self.policy = policy
        self.policy_since_week = 0
        self.hours_per_week = model.params.leader_hours_per_week
        self.similarity_trait = similarity_trait
        self.positions: list[int] = []
        self.time_use = 1.0

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
        draws = model.draws.assignment_rotation.get(self.policy)
        policy = self.policy
        self.time_use = {"transactional": 0.5, "laissez_faire": 0.2, "distributed": 0.7}.get(policy, 1.0)
        for member in self.members:
            member.decided_bonus, member.reward_contingency, member.peer_leadership = 0.0, 1.0, 0.0
            rotation = draws[member.position] if draws is not None else None
            if policy in ("reactive_in_crowd", "similarity_bias"):
                ig = member.in_group
                member.time_weight = 1.0 if ig else 0.15
                member.offer = float(ig)
                member.latitude = 0.8 if ig else 0.3
                member.priority = self.score(member) + float(ig)
            elif policy == "proactive_deal":
                onboarding = member.onboarding()
                renew = onboarding or review_week or self.policy_since_week == week
                member.time_weight = 1.0 + (1.0 - member.lmx) + float(onboarding)
                member.offer = float(renew)
                member.latitude = 0.3 + 0.6 * member.perceived_competence
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
        """Hours in proportion to the time weights; the scarce assignments to the top priorities."""
        members = self.members
        total = 0.0
        for member in members:
            total += member.time_weight
        budget = self.hours_per_week * self.time_use
        for member in members:
            member.hours = (member.time_weight / total if total > 0 else 0.0) * budget
            member.assignment = False
        ranked = sorted(members, key=lambda m: (-m.priority, m.position))
        for member in ranked[:self.model.params.assignments_per_team]:
            member.assignment = True

    def team_climate(self):
        members = self.members
        self.mean_lmx = sum(m.lmx for m in members) / len(members) if members else 0.0

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


# ----------------------------------------------------------------------------- draws
class PhaseDraws:
    """This week's random numbers, drawn in bulk in the vectorised model's order; agents
    read their own element (``draws.quit[self.position]``)."""

    def __init__(self):
        self.assignment_rotation: dict[str, list[float]] = {}


# ----------------------------------------------------------------------------- model
class ReferenceModel(mesa.Model):
    """The weekly rules of :class:`lmxsim.LMXModel`, agent by agent (default scenario)."""

    member_class = RefMember   # a subclass can change one rule (the agreement test checks it is caught)

    def __init__(self, policy: str = "reactive_in_crowd", seed: int | None = None, **params):
        super().__init__(rng=seed)  # rng=<int> seeds Mesa as seed=<int> does (newer Mesa deprecates seed=)
        self.params = p = Params(**params)
        if policy not in POLICIES:
            raise ValueError(f"the reference model does not implement policy {policy!r}")
        self.week = 0
        self.hours_scale = (p.hours_scale_stranger, p.hours_scale_acquaintance, p.hours_scale_partner)
        self.lmx_rate = (p.lmx_rate_stranger, p.lmx_rate_acquaintance, p.lmx_rate_partner)
        self.scar_decay = 0.5 ** (1.0 / p.scar_half_life_weeks)
        self.clarity_decay = 0.5 ** (1.0 / p.clarity_half_life_weeks)
        self.weekly_base_hazard = -math.log1p(-p.annual_base_turnover) / 52.0
        self.policy_table = [policy]        # in order of first use: the order their draws are made
        self.draws = PhaseDraws()
        self.week_stats: dict[str, float] = {}
        self._next_person = 0
        self._quit_history: deque = deque(maxlen=52)

        trait = self.rng.random(p.n_teams)
        self.leaders = [RefLeader(self, t, policy, float(trait[t])) for t in range(p.n_teams)]
        n = p.n_teams * p.team_size
        team_of = np.repeat(np.arange(p.n_teams, dtype=np.int32), p.team_size)
        for pos, t in enumerate(team_of.tolist()):
            self.leaders[t].positions.append(pos)
        self.team_of = team_of.tolist()
        u, v = organisation.team_ring_ties(team_of, np.arange(n), p.within_team_ties, p.tie_rewiring, self.rng)
        cu, cv = organisation.cross_ties(team_of, p.cross_team_ties, self.rng)
        ties = [set() for _ in range(n)]
        for a, b in zip(np.concatenate([u, cu]).tolist(), np.concatenate([v, cv]).tolist()):
            ties[a].add(b)
            ties[b].add(a)
        self.ties_of = [sorted(s) for s in ties]
        self.seats: list[RefMember | None] = [None] * n
        self.refill_week = [-1] * n

        weekly_stay = (1.0 - p.annual_base_turnover) ** (1.0 / 52.0)
        tenure = self.rng.geometric(max(1e-9, 1.0 - weekly_stay), n) - 1
        self.hire(list(range(n)), np.minimum(tenure, 40 * 52).tolist())
        self.review()

        self.datacollector = mesa.DataCollector(model_reporters=REFERENCE_REPORTERS)
        self.datacollector.collect(self)

    # -- the schedule
    @property
    def member_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[self.member_class]

    @property
    def leader_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[RefLeader]

    @property
    def is_review_week(self) -> bool:
        return self.week > 0 and self.week % self.params.review_interval_weeks == 0

    def step(self):
        self.week = self.steps
        self.week_stats = {"promises_kept": 0, "promises_broken": 0}
        n, rng, members, leaders = len(self.seats), self.rng, self.member_set, self.leader_set
        draws = self.draws = PhaseDraws()

        draws.perceive_competence = rng.standard_normal(n).tolist()
        draws.perceive_loyalty = rng.standard_normal(n).tolist()
        members.do("perceive")

        in_use = sorted({self.policy_table.index(leader.policy) for leader in self.leaders})
        for i in in_use:
            if self.policy_table[i] in _DRAWS_ASSIGNMENTS:
                draws.assignment_rotation[self.policy_table[i]] = rng.random(n).tolist()
        leaders.do("decide")
        leaders.do("share_time")

        draws.promise_due = rng.random(n).tolist()
        draws.promise_kept = rng.random(n).tolist()
        members.do("exchange")

        draws.performance = rng.standard_normal(n).tolist()
        members.do("work")

        members.do("get_inspired")
        members.do("update_creativity")
        self.ideas_and_trials()
        members.do("learn_from_ideas")
        self.week_stats["successes"] = sum(m.successes_this_week for m in members)

        leaders.do("team_climate")
        members.do("compare")
        members.do("look_at_colleagues")
        members.do("spread_safety")

        members.do("update_attitudes")
        draws.quit = rng.random(n).tolist()
        members.do("consider_quitting")
        self.quit_and_refill()
        self._quit_history.append((self.week_stats["quits"], len(members)))

        if self.is_review_week:
            self.review()
        self.datacollector.collect(self)
        if self.week >= self.params.weeks:
            self.running = False

    def run(self, weeks: int | None = None) -> "ReferenceModel":
        for _ in range(self.params.weeks - self.week if weeks is None else weeks):
            self.step()
        return self

    def ideas_and_trials(self):
        """The bulk draws of phase 5: ideas for everyone, then trials, successes and blame
        for those with ideas (each drawn for all of them at once, in position order)."""
        rng, p = self.rng, self.params
        seated = [m for m in self.seats if m is not None]
        rates = [m.rate if m is not None else 0.0 for m in self.seats]
        ideas = rng.poisson(rates).tolist()
        for m in seated:
            m.new_ideas = ideas[m.position]
        with_ideas = [m for m in seated if m.new_ideas]
        tried = rng.binomial([m.new_ideas for m in with_ideas], [m.psych_safety for m in with_ideas]).tolist()
        successes = rng.binomial(tried, [m.success_probability() for m in with_ideas]).tolist()
        failures = [t - s for t, s in zip(tried, successes)]
        punished = rng.binomial(failures, 1.0 - p.failure_tolerance).tolist()
        value = 0.0
        for m, t, s, b in zip(with_ideas, tried, successes, punished):
            m.tried, m.successes, m.punished = t, s, b
            value += s * (0.5 + m.competence)
        self.week_stats["ideas_tried"] = sum(tried)
        self.week_stats["innovation_value"] = value

    def quit_and_refill(self):
        p = self.params
        members = [m for m in self.seats if m is not None]
        leavers = [m for m in members if m.quitting]
        if leavers:
            top = float(np.quantile([m.performance_avg for m in members], 0.75))
            self.week_stats["quits_top_quartile"] = sum(m.performance_avg >= top for m in leavers)
        for m in leavers:
            self.seats[m.position] = None
            self.refill_week[m.position] = self.week + p.hiring_lag_weeks
            m.remove()
        due = [i for i, seat in enumerate(self.seats)
               if seat is None and 0 <= self.refill_week[i] <= self.week]
        self.hire(due, [0] * len(due))
        self.week_stats["quits"] = len(leavers)
        self.week_stats["hires"] = len(due)

    def hire(self, positions: list[int], tenure: list[int]) -> None:
        """New people in ``positions``; their traits are drawn in bulk, in the package's order."""
        k = len(positions)
        if k == 0:
            return
        p, rng = self.params, self.rng
        competence = rng.standard_normal(k).tolist()
        creativity_trait = rng.beta(2.0, 2.0, k).tolist()
        mobility = rng.beta(2.0, 2.0, k).tolist()
        affectivity = rng.beta(2.0, 2.0, k).tolist()
        conscientiousness = rng.beta(2.0, 2.0, k).tolist()
        circle = rng.random(k).tolist()
        lmx = rng.standard_normal(k).tolist()
        trust = rng.standard_normal(k).tolist()
        liking = rng.beta(2.0, 2.0, k).tolist()
        bias = rng.standard_normal(k).tolist()
        for j, pos in enumerate(positions):
            leader = self.leaders[self.team_of[pos]]
            m = self.member_class(self, pos, self._next_person, leader)
            self._next_person += 1
            self.seats[pos] = m
            self.refill_week[pos] = -1
            m.hire_week = self.week - tenure[j]
            m.competence = _clip(p.competence_mean + p.competence_spread * competence[j], 0.02, 0.98)
            m.creativity_trait, m.mobility = creativity_trait[j], mobility[j]
            m.affectivity, m.conscientiousness = affectivity[j], conscientiousness[j]
            m.similarity = circle_similarity(circle[j], leader.similarity_trait)
            # a fresh dyad with the leader
            m.dyad_start_week = self.week
            m.stage = STRANGER
            m.lmx = _clip(p.initial_lmx + 0.05 * lmx[j], 0.0, 1.0)
            m.trust = _clip(p.initial_trust + 0.05 * trust[j], 0.0, 1.0)
            m.scar = m.contact = m.clarity = 0.0
            m.in_group = False
            m.expectation = p.contract_expectation
            m.liking = 0.5 * m.similarity + 0.5 * liking[j]
            m.rater_bias = p.similarity_bias * (m.similarity - 0.5) + p.rater_idiosyncrasy * bias[j]
            m.perceived_competence = m.perceived_loyalty = _clip(0.5 + m.rater_bias, 0.0, 1.0)
            # starting attitudes
            m.autonomy, m.psych_safety = 0.3, 0.5
            m.creativity = 0.3 * m.creativity_trait
            m.engagement, m.fairness, m.turnover_intention = 0.6, 0.8, 0.3
            m.citizenship = m.citizenship_now()
            m.performance_avg = m.competence * p.base_effort

    def review(self):
        self.leader_set.do("review")

    def set_policy(self, name: str, teams=None) -> None:
        """Leaders of ``teams`` (default all) adopt ``name`` from next week, and review now."""
        if name not in POLICIES:
            raise ValueError(f"the reference model does not implement policy {name!r}")
        if name not in self.policy_table:
            self.policy_table.append(name)
        for t in (range(len(self.leaders)) if teams is None else teams):
            self.leaders[t].policy = name
            self.leaders[t].policy_since_week = self.week + 1
        self.review()

    # -- book-keeping
    def promise_kept(self, member, gain):
        self.week_stats["promises_kept"] += 1

    def promise_broken(self, member, loss):
        self.week_stats["promises_broken"] += 1

    def recent_quits_and_heads(self, window: int):
        recent = list(self._quit_history)[-window:]
        return sum(q for q, _ in recent), float(sum(h for _, h in recent))

    def model_frame(self) -> pd.DataFrame:
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "week", np.arange(len(df)))
        return df

    def member_state(self) -> dict[int, dict[str, float]]:
        """Every current member's state by position (for agreement tests)."""
        return {m.position: {k: getattr(m, k) for k in STATE_NAMES} for m in self.seats if m is not None}


STATE_NAMES = ("competence", "trust", "scar", "lmx", "stage", "in_group", "expectation", "clarity", "autonomy",
               "psych_safety", "creativity", "engagement", "fairness", "turnover_intention", "performance",
               "performance_avg", "citizenship", "perceived_competence", "perceived_loyalty", "contact",
               "ideas", "successful_ideas")


# ----------------------------------------------------------------------------- reporters
def _members(model):
    return [m for m in model.seats if m is not None]


def _mean_of(name):
    def reporter(model):
        ms = _members(model)
        return sum(getattr(m, name) for m in ms) / len(ms) if ms else float("nan")
    reporter.__name__ = f"mean_{name}"
    return reporter


def _lmx_sd_within_team(model):
    sds = []
    for leader in model.leaders:
        ms = leader.members
        if len(ms) > 1:
            mean = sum(m.lmx for m in ms) / len(ms)
            sds.append(math.sqrt(sum((m.lmx - mean) ** 2 for m in ms) / len(ms)))
    return sum(sds) / len(sds) if sds else 0.0


def _turnover_rate(model):
    q, h = model.recent_quits_and_heads(TURNOVER_WINDOW_WEEKS)
    return q / h * 52.0 if h > 0 else 0.0


def _stat(name, kind=int):
    return lambda model: kind(model.week_stats.get(name, 0))


REFERENCE_REPORTERS = {
    "innovation": _stat("successes"),
    "innovation_value": _stat("innovation_value", float),
    "ideas_tried": _stat("ideas_tried"),
    "quits": _stat("quits"),
    "quits_top_quartile": _stat("quits_top_quartile"),
    "hires": _stat("hires"),
    "headcount": lambda model: len(_members(model)),
    "positions": lambda model: len(model.seats),
    "turnover_rate_annualised": _turnover_rate,
    "mean_lmx": _mean_of("lmx"),
    "lmx_sd_within_team": _lmx_sd_within_team,
    "in_group_share": lambda model: (sum(m.in_group for m in _members(model)) / len(_members(model))
                                     if _members(model) else float("nan")),
    "mean_trust": _mean_of("trust"),
    "mean_engagement": _mean_of("engagement"),
    "mean_performance": _mean_of("performance"),
    "mean_psych_safety": _mean_of("psych_safety"),
    "mean_fairness": _mean_of("fairness"),
    "mean_autonomy": _mean_of("autonomy"),
    "mean_turnover_intention": _mean_of("turnover_intention"),
    "turnover_cost": lambda model: model.week_stats.get("quits", 0) * model.params.turnover_cost_salaries,
    "promises_kept": _stat("promises_kept"),
    "promises_broken": _stat("promises_broken"),
}
