"""The rule catalogue (see RULES.md): one module per rule."""

from autograd_lint.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = ()
RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
