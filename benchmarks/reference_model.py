"""The per-agent reference now lives in the package, :mod:`lmxsim.reference`; this module keeps
``from reference_model import ReferenceModel`` (benchmarks/run_all.py) working."""
from lmxsim.reference import *  # noqa: F401,F403
