"""Hypothesis profiles: `ci` (derandomized, fixed count), `dev` and `thorough` (many more examples).

CI (where the CI variable is set) gets `ci`; elsewhere `dev`. Pick another with
`HYPOTHESIS_PROFILE=thorough python -m pytest` or `python -m pytest --hypothesis-profile=thorough`.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=100, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
