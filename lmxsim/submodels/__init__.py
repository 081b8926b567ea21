"""The weekly submodels, one module per phase of the schedule (ODD section 7).

Each phase function takes the model and updates the member arrays over all member positions.
Each rule is a small function whose body is its equation on one member's numbers (``@rule``);
a phase runs its rules member by member in one compiled pass (``@kernel``; numba, cached),
reading per-organisation parameters and per-team totals computed once (see
:mod:`lmxsim._structure`). The order in which :meth:`lmxsim.engine.Engine.step` calls the
phases is the schedule of ODD section 3.
"""
