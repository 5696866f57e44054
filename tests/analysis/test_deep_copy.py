"""``copy.deepcopy`` of a module: a new module with parameters of its own."""

from __future__ import annotations

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

HEADER = "import copy\nimport torch\nimport torch.nn as nn\n\n"
NET = (
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(6, 3)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(x)\n\n\n"
    "class User:\n"
    "    def __init__(self, model):\n"
    "        self.model = copy.deepcopy(model)\n\n"
    "    def scores(self, x):\n"
    "        return self.model(x)\n\n\n"
    "user = User(Net())\n"
)


def codes(body: str) -> list[str]:
    result = lint_source(HEADER + body, settings=Settings(select=("AG",)))
    return [d.code for d in result.diagnostics]


def test_a_copied_project_module_computes_like_the_original() -> None:
    assert codes(NET + "out = user.scores(torch.randn(2, 6)).numpy()\n") == ["AG011"]
    quiet = NET + "with torch.no_grad():\n    out = user.scores(torch.randn(2, 6)).numpy()\n"
    assert codes(quiet) == []


def test_the_copy_has_leaves_of_its_own() -> None:
    body = (
        "model = nn.Linear(4, 2)\n"
        "ema = copy.deepcopy(model)\n"
        "for p in ema.parameters():\n"
        "    p.requires_grad_(False)\n"
        "ema.weight.mul_(0.9)\n"  # frozen copy: torch allows it
    )
    assert codes(body) == []
    assert codes(body + "model.weight.mul_(0.9)\n") == ["AG007"]  # the original still trains
    assert codes("model = nn.Linear(4, 2)\nema = copy.deepcopy(model)\nema.weight.mul_(0.9)\n") == [
        "AG007"
    ]


def test_what_deepcopy_is_not_known_to_copy_stays_unknown() -> None:
    body = "w = torch.randn(3, requires_grad=True)\nh = copy.deepcopy(w * 2)\nh.numpy()\n"
    assert codes(body) == []
