"""Plan a field study of leader training: simulated surveys, cluster-randomised designs, power (docs/study.md).

* :mod:`lmxsim.study.instruments` - item-level survey answers from the member state;
* :mod:`lmxsim.study.spec` - study specifications (TOML), checked before anything runs;
* :mod:`lmxsim.study.simulate` - many studies on the batch engine: assignment, training, waves;
* :mod:`lmxsim.study.analysis` - mixed model or difference-in-differences per study; power;
* :mod:`lmxsim.study.runner` - ``run_study(spec, out)``: every sample size, resumable, a CSV and a figure.
"""

from lmxsim.study.runner import run_study
from lmxsim.study.spec import StudySpec, load_study, parse_study, shipped_names

__all__ = ["run_study", "load_study", "parse_study", "shipped_names", "StudySpec"]
