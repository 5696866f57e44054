"""Placeholder until the trace lands."""

from dataclasses import dataclass, field
from typing import Any

import libcst as cst


@dataclass
class Trace:
    module: cst.Module
    source: str
    events: list[Any] = field(default_factory=list)
