"""Confidence intervals, effect sizes and p-values for replicated simulation outcomes.

Replications (seeds) are the independent units. A mean's 95% interval uses Student's t
with n - 1 degrees of freedom; a difference between two policies run on the same seeds
is a paired difference (same organisation, same people), which is what makes
"same team, different leader" comparisons sharp. Its standardised size is ``d_z`` (the
mean paired difference over the standard deviation of the paired differences; Cohen 1988,
Lakens 2013), not the pooled-SD ``d`` of two independent groups (``d_pooled``): pairing
removes the between-seed variance, so ``d_z`` is usually much larger than ``d_pooled`` for the
same data. When a table makes many comparisons at once, :func:`holm` adjusts their p-values
(Holm 1979) so that the chance of any false "significant" stays at 5%.
"""

from __future__ import annotations

import numpy as np


def _finite(values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lower, upper) of the ``level`` t-interval; the interval is NaN for n < 2."""
    x = _finite(values)
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if n < 2:
        return mean, np.nan, np.nan
    from scipy import stats   # on first use: ~0.5 s of imports
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def paired_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval of ``a - b`` over paired replications."""
    return mean_ci(np.asarray(a, float) - np.asarray(b, float), level)


def d_z(a, b) -> float:
    """Standardised paired difference: mean of ``a - b`` over the SD (n - 1) of ``a - b``.

    NaN when fewer than two pairs or when every pair differs by the same amount (SD 0).
    """
    diff = _finite(np.asarray(a, float) - np.asarray(b, float))
    if len(diff) < 2:
        return np.nan
    sd = diff.std(ddof=1)
    return float(diff.mean() / sd) if sd > 0 else np.nan


def d_pooled(a, b) -> float:
    """Standardised mean difference of ``a - b`` over the pooled SD of the two groups
    (Cohen's d for independent groups, equal group sizes); ignores the pairing."""
    a, b = _finite(a), _finite(b)
    if len(a) < 2 or len(b) < 2:
        return np.nan
    pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2.0)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else np.nan


def paired_p(a, b) -> float:
    """Two-sided p-value of the paired t-test of ``a - b`` against 0 (the test the
    t-interval of :func:`paired_difference` inverts: p < 0.05 exactly when the 95% CI
    excludes 0). NaN for fewer than two pairs or differences with no spread."""
    diff = _finite(np.asarray(a, float) - np.asarray(b, float))
    if len(diff) < 2 or diff.std(ddof=1) == 0:
        return np.nan
    from scipy import stats
    return float(stats.ttest_1samp(diff, 0.0).pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given.

    Sort the m p-values ascending, multiply the k-th smallest (k = 0, 1, ...) by m - k, make
    the sequence non-decreasing (running maximum) and cap it at 1. Rejecting where the
    adjusted p < alpha keeps the family-wise error rate at alpha. NaN entries are not
    tests: they stay NaN and do not count in m.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = p[order] * (m - np.arange(m))
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out
