"""The participant leader: a policy whose decisions are the workshop participants' choices.

One instance serves every participant's team of an engine: ``choices[team]`` holds the
:class:`~lmxsim.workshop.choices.TeamChoices` of the team's participant for the current round
and ``round_start`` the round's first week, when the deal is made. Each lever maps onto
:class:`~lmxsim.policies.Decisions` (ODD section 7, "Workshop"):

    time_weight = hours[person]            (newcomers: NEWCOMER_HOURS)
    offer       = 1 in the round's first week for the people in the deal, else 0
    promise     = the deal's promise
    latitude    = latitude[person]         (newcomers: NEWCOMER_LATITUDE)
    assignment_priority = 1 for the people given an assignment, else a keyed uniform in [0, 1)

The participant's in-group, as the model counts it, is the people they made the deal with.
"""

from __future__ import annotations

import numpy as np

from lmxsim.policies.base import Decisions, Policy, PolicyView
from lmxsim.workshop.choices import NEWCOMER_HOURS, NEWCOMER_LATITUDE, TeamChoices


class ParticipantLeader(Policy):
    """A workshop participant leading one team (their choices, round by round)."""

    name = "workshop_participant"
    label = "Workshop participant"
    source = "the participant"
    classifier = {"proactive": False, "differentiates": True, "uses_merit": True, "uses_similarity": False,
                  "extrinsic_rewards": False, "peer_leadership": False}

    def __init__(self):
        self.choices: dict[int, TeamChoices] = {}
        self.round_start = 1

    def decide(self, view: PolicyView) -> Decisions:
        n = len(view.team)
        weight, latitude = np.full(n, NEWCOMER_HOURS), np.full(n, NEWCOMER_LATITUDE)
        in_deal, assigned, promise = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n)
        for team in np.unique(view.team_id):
            c = self.choices.get(int(team), TeamChoices())
            at = np.flatnonzero(view.team_id == team)
            people = view.person_id[at]
            weight[at] = [c.hours.get(int(p), NEWCOMER_HOURS) for p in people]
            latitude[at] = [c.latitude.get(int(p), NEWCOMER_LATITUDE) for p in people]
            in_deal[at] = np.isin(people, list(c.deal))
            assigned[at] = np.isin(people, list(c.assignments))
            promise[at] = c.promise
        first_week = view.week == self.round_start
        return Decisions(
            time_weight=weight,
            offer=(in_deal & first_week & view.occupied).astype(float),
            promise=promise,
            latitude=latitude,
            assignment_priority=np.where(assigned, 1.0, view.rng.random(n)),
        )

    def in_group(self, view: PolicyView) -> np.ndarray:
        in_deal = np.zeros(len(view.team), bool)
        for team in np.unique(view.team_id):
            at = np.flatnonzero(view.team_id == team)
            in_deal[at] = np.isin(view.person_id[at], list(self.choices.get(int(team), TeamChoices()).deal))
        return in_deal & view.occupied
