"""The weekly submodels, one module per phase of the schedule (ODD section 7).

Each function takes the model and updates the member arrays in place, vectorised over
all member positions. The order in which :meth:`lmxsim.model.LMXModel.step` calls them
is the schedule of ODD section 3.
"""
