"""The reference: lmxsim's weekly rules once more, one Mesa agent at a time - the executable specification.

Every member is a Mesa agent holding its own state as plain Python floats; every rule of the
weekly schedule (docs/ODD.md, section 7) is written out again, per agent, in plain Python
(``math``, no numpy arithmetic, the constants written out again), and run phase by phase
through Mesa's AgentSet. Leaders are agents too and do the team-level work (sharing their
hours, handing out the scarce assignments, reviews). It is as a Mesa model is usually
written: slow, and easy to check against docs/ODD.md line by line.

It exists to check the vectorised model against: ``tests/test_reference_agreement.py`` runs
both and requires the same people at the same desks with the same state (to 1e-9), the same
leaders' ``departures``, every
count equal and every weekly mean equal (to 1e-9), week by week; a reference with one rule or
one random-number key changed fails it. ``benchmarks/run_all.py`` times both.

Random numbers. Every random number of a run is keyed - a pure function of (run seed,
purpose, who, week, draw), the table in :mod:`lmxsim.draws` - so each agent draws its own: a
member in week ``w`` draws ``luck.uniform("quit", its person key, w)``, a new dyad draws by
the dyad's key (:func:`lmxsim.draws.dyad_keys`), a leader its trait by its id. The reference
keeps the desks as the model does - slots numbered in order of creation, the k-th person at
a desk keyed ``slot << 32 | k`` - so the same person sits at the same desk with the same luck
in both. Nothing is drawn in bulk and no agent's numbers depend on the order agents act in.
The collaboration ties are built with the package's own functions (:mod:`lmxsim.organisation`,
structure rather than weekly rules) from the same keyed desk luck.

Only the ``default`` scenario's weekly schedule is implemented (scenario events are not), plus
``set_policy`` (leaders switching policy mid-run), for the seven built-in policies.

Usage::

    from lmxsim.reference import ReferenceModel
    ref = ReferenceModel(policy="proactive_deal", seed=1, n_teams=4, team_size=6, weeks=52)
    ref.run()
    ref.model_frame()        # same columns as LMXModel.model_frame()
    ref.member_state()       # every member's state, by desk
"""

from lmxsim.reference.agents import POLICIES, RefLeader, RefMember
from lmxsim.reference.model import STATE_NAMES, ReferenceModel

__all__ = ["POLICIES", "RefLeader", "RefMember", "ReferenceModel", "STATE_NAMES"]
