"""Hypothesis profiles: ``default`` (quick, CI) and ``thorough`` (``--hypothesis-profile thorough``)."""

import pytest
from hypothesis import settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _private_result_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own result cache, outside the folders it lists or compares, so a
    result cached by one test never answers another (the cache's own tests override this)."""
    monkeypatch.setenv("AUTOGRAD_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))
