"""Hypothesis profiles: ``default`` (quick, CI) and ``thorough`` (``--hypothesis-profile thorough``)."""

from hypothesis import settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile("default")
