"""Leadership policies, registered by name (ODD section 7, submodel "policy decision").

Importing this package registers the built-in policies. See :mod:`lmxsim.policies.base`
for the interface and for how to write and register a policy of your own.
"""

from lmxsim.policies.base import (
    CLASSIFIER_KEYS,
    Decisions,
    Policy,
    PolicyView,
    get_policy,
    policies_where,
    policy_class,
    policy_names,
    register,
    unregister,
)
from lmxsim.policies import (  # noqa: F401  (import registers)
    reactive_in_crowd,
    proactive_deal,
    equal_split,
    transactional,
    similarity_bias,
    laissez_faire,
    distributed,
)

__all__ = ["CLASSIFIER_KEYS", "Decisions", "Policy", "PolicyView", "get_policy", "policies_where",
           "policy_class", "policy_names", "register", "unregister"]
