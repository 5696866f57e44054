"""The committed rule docs and README table are what the rule modules generate."""

from pathlib import Path

from autograd_lint import docs
from autograd_lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent


def test_rule_pages_are_current():
    for name, text in docs.pages().items():
        page = ROOT / "docs" / "rules" / name
        assert page.exists(), f"run `python -m autograd_lint.docs` to create {page}"
        assert page.read_text() == text, f"{page} is stale: run `python -m autograd_lint.docs`"


def test_readme_table_is_current():
    readme = (ROOT / "README.md").read_text()
    assert docs.readme_with_table(readme) == readme, "README rule table is stale"
    for rule in ALL_RULES:
        assert f"`{rule.name}`" in readme


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "autograd-lint example" in readme
    assert "bash .ci/run" in readme or "python -m pytest" in readme
