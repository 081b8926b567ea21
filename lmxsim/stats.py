"""Confidence intervals for replicated simulation outcomes.

Replications (seeds) are the independent units. A mean's 95% interval uses Student's t
with n - 1 degrees of freedom; a difference between two policies run on the same seeds
is a paired difference (same organisation, same people), which is what makes
"same team, different leader" comparisons sharp.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lower, upper) of the ``level`` t-interval; the interval is NaN for n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def paired_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval of ``a - b`` over paired replications."""
    return mean_ci(np.asarray(a, float) - np.asarray(b, float), level)


def cohens_d(a, b) -> float:
    """Standardised mean difference (pooled SD) of ``a - b``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2.0)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else np.nan
