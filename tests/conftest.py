"""Settings for the whole suite.

Hypothesis's defaults fail an example that takes over 200 ms (``deadline``) and a strategy that
generates slowly (``HealthCheck.too_slow``). Both depend on how fast the machine is, which no test
here may (issue 7): on a Pi, under ``slow-cpu`` or beside other busy programs they fail tests that
are right. The suite's profile turns them off; everything else stays Hypothesis's default.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "kiosk", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("kiosk")
