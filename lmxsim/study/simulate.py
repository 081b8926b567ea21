"""Simulated field studies on the batch engine: randomise leaders, train some, survey the cohort (docs/study.md).

One simulated study is one organisation of ``leaders`` teams of ``members`` positions, all led
with ``from_policy``. At the training week W (after that week's step) the cohort is fixed - the
members at work then - and surveyed (wave 0, the baseline); then the treated leaders switch to
``to_policy`` (:meth:`lmxsim.engine.Engine.set_policy` on their teams; the null design switches
them to ``from_policy``, a placebo training). At each later wave the cohort members still at
work answer again: leavers drop out, newcomers are not surveyed unless ``include_newcomers``.

Who is trained is a keyed draw (purpose ``study.assign``, one uniform per leader): the leaders
are ranked by it; in a cluster design the first ``round(treated_share * leaders)`` are trained, in
a stepped wedge the ranks are cut into ``len(waves) - 1`` equal steps and step g is trained
right after wave g. Many studies (organisations) run together in one :class:`~lmxsim.engine.Engine`
batch (:func:`lmxsim.engine.run_batch`), each with its own seed, and every study's numbers are
those it would get alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lmxsim.study import instruments
from lmxsim.study.instruments import RATING, SCALES

ARMS = ("treatment", "null")
BATCH_POSITIONS = 50_000   # member positions per engine batch


class StudyObserver:
    """Called by :func:`lmxsim.engine.run_batch` after every week: trains leaders and surveys the cohort."""

    def __init__(self, spec, arms: list[str]):
        self.spec, self.arms = spec, arms
        self.frames: list[pd.DataFrame] = []
        self.cohort_size: np.ndarray | None = None

    def __call__(self, engine) -> None:
        since = engine.week - self.spec.week
        if since < 0 or since not in self.spec.waves:
            return
        wave = self.spec.waves.index(since)
        if wave == 0:
            self._assign(engine)
        self.frames.append(self._survey(engine, wave))
        self._train(engine, wave)

    def _assign(self, engine) -> None:
        """Rank each study's leaders by a keyed uniform; the rank decides their arm or step."""
        leaders = engine.leaders
        u = engine.streams.uniform("study.assign", leaders.leader_id, 0, org=leaders.org)
        order = np.lexsort((u, leaders.org))
        rank = np.empty(engine.n_teams, dtype=np.int64)
        rank[order] = np.arange(engine.n_teams) - engine.team_offset[leaders.org[order]]
        n = np.bincount(leaders.org, minlength=engine.n_orgs)[leaders.org]
        if self.spec.design == "cluster":
            treated = np.rint(self.spec.treated_share * n).astype(np.int64)
            self.step = np.where(rank < treated, 0, -1)        # -1: never trained
        else:
            steps = len(self.spec.waves) - 1
            self.step = rank * steps // n
        m = engine.members
        self.cohort = np.flatnonzero(m.occupied)
        self.cohort_ids = self._ids(m.org[self.cohort], m.person_id[self.cohort])
        self.cohort_size = np.bincount(m.org[self.cohort], minlength=engine.n_orgs)
        # the reference that standardises each latent variable: the study's cohort at baseline
        self.reference = {}
        for var in {SCALES[i].state for i in self.spec.instruments if i in SCALES} | {RATING.state, RATING.halo_state}:
            x = getattr(m, var)[self.cohort]
            org = m.org[self.cohort]
            count = np.maximum(1, self.cohort_size)
            mean = np.bincount(org, weights=x, minlength=engine.n_orgs) / count
            sd = np.sqrt(np.bincount(org, weights=(x - mean[org]) ** 2, minlength=engine.n_orgs) / count)
            self.reference[var] = (mean, np.where(sd > 0, sd, 1.0))

    @staticmethod
    def _ids(org, person_id):
        return org.astype(np.int64) * (1 << 40) + person_id

    def _train(self, engine, wave: int) -> None:
        due = np.flatnonzero(self.step == wave)
        for arm in set(self.arms):
            teams = due[np.isin(engine.leaders.org[due], [o for o, a in enumerate(self.arms) if a == arm])]
            if len(teams):
                engine.set_policy(self.spec.to_policy if arm == "treatment" else self.spec.from_policy, teams)

    def _survey(self, engine, wave: int) -> pd.DataFrame:
        m = engine.members
        here = np.flatnonzero(m.occupied)
        in_cohort = np.isin(self._ids(m.org[here], m.person_id[here]), self.cohort_ids)
        idx, in_cohort = (here, in_cohort) if self.spec.include_newcomers else (here[in_cohort], in_cohort[in_cohort])
        org, team = m.org[idx], m.team[idx]
        week = engine.week
        rows = {"study_org": org, "leader": team - engine.team_offset[org],
                "step": self.step[team], "treated": ((self.step[team] >= 0) & (self.step[team] < wave)).astype(np.int8),
                "member_id": m.person_id[idx], "cohort": in_cohort.astype(np.int8),
                "wave": np.full(len(idx), wave, dtype=np.int16)}

        def z(var):
            mean, sd = self.reference[var]
            return (getattr(m, var)[idx] - mean[org]) / sd[org]

        for name in self.spec.instruments:
            if name in SCALES:
                answers = instruments.respond(SCALES[name], z(SCALES[name].state), engine.streams,
                                              m.person_key[idx], week, org=org)
                rows[name] = answers.mean(axis=1)
            else:
                rows[name] = instruments.rate(RATING, z(RATING.state), z(RATING.halo_state), engine.streams,
                                              m.person_key[idx], engine.leaders.leader_id[team], week,
                                              org=org).astype(float)
        return pd.DataFrame(rows)


def simulate(spec, leaders: int, members: int, seeds: list[int], arms: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Survey data of the studies ``seeds[i]`` (design ``arms[i]``: "treatment" or "null") of one sample size.

    One row per member and wave: ``study`` (index into ``seeds``), ``arm``, ``leader`` (0 ..
    leaders - 1), ``step`` (wave after which the leader is trained; -1 never), ``treated`` (trained
    before this wave), ``member_id``, ``cohort`` (at work at baseline), ``wave`` (index into
    ``spec.waves``) and one score per instrument (item mean, 1..5); and each study's cohort
    size at baseline."""
    from lmxsim.engine import OrgSpec, run_batch
    from lmxsim.params import Params
    from lmxsim.scenarios import get_scenario

    preset = get_scenario(spec.scenario)
    params = Params(**{**preset.overrides, **spec.parameters, "n_teams": leaders, "team_size": members,
                       "weeks": spec.weeks})
    orgs = [OrgSpec(spec.from_policy, params, int(seed), preset) for seed in seeds]
    observer = StudyObserver(spec, list(arms))
    run_batch(orgs, weeks=spec.weeks, observers=[observer])
    data = pd.concat(observer.frames, ignore_index=True)
    data.insert(0, "study", data.pop("study_org").astype(np.int64))
    data.insert(1, "arm", np.asarray(arms, dtype=object)[data["study"].to_numpy()])
    return data, observer.cohort_size


def simulate_batches(spec, leaders: int, members: int, seeds: list[int], arms: list[str], executor=None) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`simulate` in engine batches of about :data:`BATCH_POSITIONS` positions (on ``executor`` if given)."""
    per_batch = max(1, BATCH_POSITIONS // (leaders * members))
    chunks = [list(range(i, min(len(seeds), i + per_batch))) for i in range(0, len(seeds), per_batch)]
    jobs = [(spec, leaders, members, [seeds[i] for i in c], [arms[i] for i in c]) for c in chunks]
    results = [executor.submit(simulate, *job) for job in jobs] if executor is not None else None
    frames, sizes = [], []
    for c, job, fut in zip(chunks, jobs, results or [None] * len(jobs)):
        part, size = fut.result() if fut is not None else simulate(*job)
        part["study"] = np.asarray(c)[part["study"].to_numpy()]
        frames.append(part)
        sizes.append(size)
    return pd.concat(frames, ignore_index=True), np.concatenate(sizes)
