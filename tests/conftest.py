"""Shared helpers for the lmxsim test suite.

The model's coefficients and calibration change independently of these tests, so the
tests pin down properties, invariants and behaviours - never particular numbers the
model produces. Models here are small (a few teams of a few members, tens of weeks) so
the whole suite runs in well under two minutes on a laptop.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Reproducible by default (CI must not flake); `HYPOTHESIS_PROFILE=explore pytest` searches
# fresh random examples for a longer time.
settings.register_profile(
    "lmxsim", max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# the newest-Mesa re-run (tests/test_newest_mesa.py) checks what Mesa could break, not our
# invariants' corners, which the main run searches with the default profile
settings.register_profile(
    "smoke", max_examples=6, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", max_examples=300, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lmxsim"))
