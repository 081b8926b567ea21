"""lmxsim - an agent-based model of leader-member exchange (LMX) in organisations.

Compare a reactive "in-crowd" leadership policy with a proactive "deal with everyone"
policy, and others, on innovation and turnover. Start with::

    from lmxsim import LMXModel
    model = LMXModel(policy="proactive_deal", scenario="default", seed=1).run()
    model.model_frame()   # weekly outcomes
    model.panel_frame()   # member-level panel
"""

from lmxsim.errors import LMXInputError
from lmxsim.params import Params
from lmxsim.policies import Decisions, Policy, PolicyView, get_policy, policy_names, register
from lmxsim.scenarios import SCENARIOS, get_scenario, scenario_names

__version__ = "0.1.0"

__all__ = ["LMXInputError", "LMXModel", "Params", "Decisions", "Policy", "PolicyView", "get_policy",
           "policy_names", "register", "SCENARIOS", "get_scenario", "scenario_names", "__version__"]


def __getattr__(name: str):
    # LMXModel is imported on first use: it brings Mesa (and pandas), ~1.5 s, which the engine,
    # the CLI's argument checks and `experiment run` do not need (PEP 562).
    if name == "LMXModel":
        from lmxsim.model import LMXModel
        return LMXModel
    raise AttributeError(f"module 'lmxsim' has no attribute {name!r}")
