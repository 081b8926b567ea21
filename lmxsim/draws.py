"""Who draws which random number: the model's table of keyed draws (ODD section 7, "Stochasticity").

Every random number of a run is a pure function of (organisation seed, purpose, who, week,
draw) - see :mod:`lmxsim.keyed_random` - so a person's luck does not depend on what else is
drawn, in which order, under which policy, in which batch or on which worker. ``who`` is:

* a **person**: ``person_key = (slot << 32) | serial`` - ``slot`` is the organisation's own
  number for the desk (its position in that organisation, in order of creation) and
  ``serial`` counts the desk's occupants (0 for the first). The k-th person to sit at a desk
  is the same person under every policy: the same traits, and the same luck in the same week.
* a **dyad** (person and leader): ``dyad_key(person, leader)``, a SplitMix64 mix of the two
  (Steele, Lea & Flood 2014) cut to 63 bits: the same person meeting the same leader draws
  the same numbers; meeting a new leader, new ones.
* a **leader**: the leader's id (0 .. n_teams - 1 at the start, then numbered on).
* a **desk** (for the collaboration ties): its slot.

=====================  =========  ======  =============  =====================================
purpose                who        week    draw           distribution: use
=====================  =========  ======  =============  =====================================
leader.trait           leader     0       0              uniform: position on the similarity circle
ties.rewire            desk       0       j (distance)   uniform: ring tie j is rewired (u < tie_rewiring)
ties.rewire_to         desk       0       j              integers(team size): the new teammate
ties.cross_count       desk       0       0              poisson(cross_team_ties / 2): cross-team ties the desk starts
ties.cross             desk       0       i              integers(positions): the other end of its i-th
ties.new               desk       0       j              integers(team positions): a new desk's teammates
hire.tenure            person     0       0              geometric: weeks already served (initial staff)
hire.competence        person     0       0              normal: competence
hire.traits            person     0       0..3           beta22: creativity, mobility, affectivity, conscientiousness
dyad.similarity        dyad       0       0              uniform: the member's place on the leader's circle
dyad.start             dyad       0       0              normal pair: starting LMX, starting trust
dyad.liking            dyad       0       0              beta22: idiosyncratic liking of the leader
dyad.rater_bias        dyad       0       0              normal: the leader's idiosyncratic rater bias
perceive.competence    person     week    0              normal: observation noise
perceive.loyalty       person     week    0              normal: observation noise
promise.due            person     week    0              uniform: a promise falls due (u < rate)
promise.kept           person     week    0              uniform: it is kept (u < reliability * fulfilment)
work.noise             person     week    0              normal: log-normal performance noise
ideas.count            person     week    0              poisson(rate): ideas
ideas.tried            person     week    0              binomial(ideas, safety): ideas tried
ideas.success          person     week    0              binomial(tried, p): successes
ideas.punished         person     week    0              binomial(failures, 1 - tolerance): failures blamed
quit                   person     week    0              uniform: quits (u < quit probability)
policy                 person     week    call k         uniform: a policy's k-th ``view.rng.random(n)`` of the week
=====================  =========  ======  =============  =====================================
"""

from __future__ import annotations

import numpy as np

from lmxsim.keyed_random import KeyedStreams

SERIAL_BITS = 32


def person_keys(slot: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """who = (slot << 32) | serial"""
    return (np.asarray(slot, dtype=np.int64) << SERIAL_BITS) | np.asarray(serial, dtype=np.int64)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def dyad_keys(person: np.ndarray, leader: np.ndarray) -> np.ndarray:
    """who of a dyad: SplitMix64(SplitMix64(person) + leader), its top 63 bits"""
    mixed = _splitmix64(_splitmix64(np.asarray(person).astype(np.uint64)) + np.asarray(leader).astype(np.uint64))
    return (mixed >> np.uint64(1)).astype(np.int64)


class Luck:
    """The keyed draws of a set of positions (by default every position), in one week.

    ``who`` is each position's current person key and ``org`` its organisation; ``at``
    selects positions (an index array) where a rule draws for a few members only."""

    def __init__(self, streams: KeyedStreams, who: np.ndarray, org: np.ndarray, week: int):
        self.streams, self.who, self.org, self.week = streams, who, org, week

    def _draw(self, distribution: str, purpose: str, *parameters, at=None, draw: int = 0):
        """``KeyedStreams.<distribution>`` for the positions ``at`` (default all) this week."""
        who, org = (self.who, self.org) if at is None else (self.who[at], self.org[at])
        return getattr(self.streams, distribution)(purpose, who, self.week, *parameters, draw=draw, org=org)

    def uniform(self, purpose: str, at=None, draw: int = 0) -> np.ndarray:
        return self._draw("uniform", purpose, at=at, draw=draw)

    def normal(self, purpose: str, at=None, draw: int = 0) -> np.ndarray:
        return self._draw("normal", purpose, at=at, draw=draw)

    def normal_pair(self, purpose: str, at=None, draw: int = 0) -> tuple[np.ndarray, np.ndarray]:
        return self._draw("normal_pair", purpose, at=at, draw=draw)

    def beta22(self, purpose: str, at=None, draw: int = 0) -> np.ndarray:
        return self._draw("beta22", purpose, at=at, draw=draw)

    def poisson(self, purpose: str, lam, at=None) -> np.ndarray:
        return self._draw("poisson", purpose, lam, at=at)

    def binomial(self, purpose: str, n, p, at=None) -> np.ndarray:
        return self._draw("binomial", purpose, n, p, at=at)

    def geometric(self, purpose: str, p, at=None) -> np.ndarray:
        return self._draw("geometric", purpose, p, at=at)

    def integers(self, purpose: str, high, at=None, draw: int = 0) -> np.ndarray:
        return self._draw("integers", purpose, high, at=at, draw=draw)


def weekly(model) -> Luck:
    """This week's luck of the person at every position."""
    m = model.members
    return Luck(model.streams, m.person_key, m.org, model.week)


def of_people(model, idx: np.ndarray) -> Luck:
    """The persons at positions ``idx``, for what they bring when hired (week 0 of their key)."""
    m = model.members
    return Luck(model.streams, m.person_key[idx], m.org[idx], 0)


def of_dyads(model, idx: np.ndarray) -> Luck:
    """The dyads of the persons at ``idx`` with their current leaders."""
    m = model.members
    return Luck(model.streams, dyad_keys(m.person_key[idx], model.leaders.leader_id[m.team[idx]]), m.org[idx], 0)


def of_desks(model, positions: np.ndarray) -> Luck:
    """The desks ``positions`` (their slots), for the collaboration ties."""
    m = model.members
    return Luck(model.streams, m.slot[positions], m.org[positions], 0)


def of_leaders(model, teams: np.ndarray) -> Luck:
    """The current leaders of ``teams``."""
    return Luck(model.streams, model.leaders.leader_id[teams], model.leaders.org[teams], 0)
