"""Reads of plain config classes become the literals they hold."""

from __future__ import annotations

from autograd_lint.analysis import config_constants

SOURCE = """
class Cfg:
    class network:
        coor_bin = 64
        name = "resnet"
    lr = 0.1

cfg = Cfg()
other = Cfg()
other = None
"""


def test_nested_class_attributes_resolve_to_their_literals() -> None:
    assert config_constants.resolve(SOURCE, ["cfg", "network", "coor_bin"]) == 64
    assert config_constants.resolve(SOURCE, ["cfg", "lr"]) == 0.1
    assert config_constants.resolve(SOURCE, ["cfg", "network", "missing"]) is None
    assert config_constants.resolve(SOURCE, ["other", "lr"]) is None  # bound twice


def test_only_chains_on_the_given_roots_are_replaced() -> None:
    lines = ["n = cfg.network.coor_bin + 1", "k = cfg.network.name", "t = x.network.coor_bin"]
    assert config_constants.substitute(SOURCE, lines, {"cfg"}) == [
        "n = 64 + 1",
        "k = 'resnet'",
        "t = x.network.coor_bin",
    ]
