"""Hypothesis profiles: ``default`` (quick and derandomized: CI sees the same programs on every
run, so a red build always means a change) and ``thorough`` (``--hypothesis-profile
thorough``: many more, random programs, to look for disagreements)."""

import pytest
from hypothesis import settings

settings.register_profile("default", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _private_result_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own result cache, outside the folders it lists or compares, so a
    result cached by one test never answers another (the cache's own tests override this)."""
    monkeypatch.setenv("AUTOGRAD_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))
