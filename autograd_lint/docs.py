"""Rule documentation pages and the README rule table, generated from the rule modules.

Docs are written once, in each rule's module; ``python -m autograd_lint.docs`` rewrites
``docs/rules/*.md`` and the table between the README markers, and a test fails when the
committed files drift from the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd_lint.rules import ALL_RULES

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"


def rule_table() -> str:
    rows = ["| code | name | default | summary |", "| --- | --- | --- | --- |"]
    for rule in ALL_RULES:
        link = f"[{rule.code}](docs/rules/{rule.code}.md)"
        default = rule.default_severity.value if rule.default_enabled else "off"
        rows.append(f"| {link} | `{rule.name}` | {default} | {rule.summary} |")
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    """README text with the rule table between its markers replaced."""
    start = readme.index(TABLE_START) + len(TABLE_START)
    end = readme.index(TABLE_END)
    return readme[:start] + "\n" + rule_table() + "\n" + readme[end:]


def pages() -> dict[str, str]:
    """File name -> markdown, one page per rule."""
    return {f"{rule.code}.md": rule.docs_markdown() for rule in ALL_RULES}


def write(root: Path) -> list[Path]:
    """Rewrite the generated docs under ``root``; returns the files that changed."""
    changed = []
    folder = root / "docs" / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    readme = root / "README.md"
    updated = readme_with_table(readme.read_text())
    if updated != readme.read_text():
        readme.write_text(updated)
        changed.append(readme)
    return changed


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"wrote {path}")
