"""Inline suppressions, end to end through the real rules and through the parser alone."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source
from autograd_lint.suppression import ALL_CODES, find_suppressions

TEMPLATE = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10){comment}
y.backward()
"""


def codes(comment: str) -> list[str]:
    result = lint_source(TEMPLATE.format(comment=comment), "train.py")
    return [d.code for d in result.diagnostics]


def test_unsuppressed_line_reports_ag001() -> None:
    assert codes("") == ["AG001"]


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa",
        "  # NOQA",
        "  # noqa: AG001",
        "  # noqa:AG001",
        "  # noqa: AG003, AG001",
        "  # autograd-lint: ignore[AG001]",
        "  # autograd-lint: ignore[AG002, AG001]",
        "  # autograd-lint: ignore[]",
        "  # scaled on purpose  # noqa: AG001",
    ],
)
def test_suppressions_silence_the_finding(comment: str) -> None:
    assert codes(comment) == []


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa: AG002",
        "  # noqa: AG0011",
        "  # autograd-lint: ignore[AG002]",
        "  # no qa",
        "  # autograd-lint ignore",
    ],
)
def test_other_codes_or_malformed_comments_do_not_silence(comment: str) -> None:
    assert codes(comment) == ["AG001"]


def test_a_suppression_applies_only_to_its_own_line() -> None:
    source = TEMPLATE.format(comment="").replace(
        "y = (w * w).sum()", "y = (w * w).sum()  # noqa: AG001"
    )
    assert [d.code for d in lint_source(source, "train.py").diagnostics] == ["AG001"]


def test_noqa_inside_a_string_is_not_a_comment_but_is_harmless() -> None:
    # A string that merely mentions noqa is on a different line from the finding.
    source = 'NOTE = "use # noqa: AG001 to silence"\n' + TEMPLATE.format(comment="")
    assert [d.code for d in lint_source(source, "train.py").diagnostics] == ["AG001"]


def test_find_suppressions_parses_codes_and_columns() -> None:
    found = find_suppressions(
        "a = 1  # noqa: ag001,AG002\nb = 2\nc = 3  # autograd-lint: ignore[AG005]\nd = 4 # noqa\n"
    )
    assert sorted(found) == [1, 3, 4]
    assert found[1].codes == frozenset({"AG001", "AG002"})
    assert found[1].start_col == 7
    assert found[3].codes == frozenset({"AG005"})
    assert found[4].codes == frozenset({ALL_CODES})
