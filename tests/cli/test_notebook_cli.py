"""``check`` on Jupyter notebooks: code cells as one program, cell positions, fixes written back."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from cli_support import run_subprocess
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

CELLS = [
    new_code_cell(
        "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()",
        outputs=[new_output("stream", name="stdout", text="hi\n")],
        execution_count=1,
    ),
    new_markdown_cell("# The `.data` write below is the bug"),
    new_code_cell("%matplotlib inline\n!pip list\nw.data.mul_(10)"),
    new_code_cell("%%bash\necho not python at all\nls -la"),
    new_code_cell("y.backward()\nw.data.mul_(2)  # noqa: AG001\nprint(w.grad)"),
]


LEGACY_CELLS = [
    new_code_cell(
        "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w + 1).sum()",
        outputs=[new_output("stream", name="stdout", text="hi\n")],
        execution_count=1,
    ),
    *CELLS[1:4],
    new_code_cell("y.backward()\nw.data.mul_(2)  # noqa: AG013\nprint(w.grad)"),
]
"""The same notebook where nothing saved `w` (`+` saves no input): the writes are legacy
updates (AG013), which have a fix."""


def write_notebook(
    directory: Path, name: str = "nb.ipynb", cells: list[nbformat.NotebookNode] | None = None
) -> Path:
    notebook = new_notebook(cells=[cell.copy() for cell in cells or CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["custom"] = {"keep": [1, 2, 3]}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    nbformat.write(notebook, path)
    return path


def test_cells_are_one_program_and_positions_are_per_cell(tmp_path: Path) -> None:
    write_notebook(tmp_path)
    run = run_subprocess("check", "nb.ipynb", cwd=tmp_path)
    assert run.code == 1, run
    lines = run.out.splitlines()
    # The write in cell 3 (line 3 of it, after two magic lines) breaks the backward in cell 5;
    # the second write, in cell 5, is silenced by its own line's noqa.
    assert lines[0].startswith("nb.ipynb:cell 3:3:1: AG001 "), run.out
    assert "    nb.ipynb:cell 1:3:6: note: saved for backward here" in lines
    assert "    nb.ipynb:cell 5:1:1: note: backward here" in lines
    assert sum(1 for line in lines if " AG001 " in line) == 1
    assert "All checks passed" not in run.err


def test_json_and_sarif_locations_name_the_cell(tmp_path: Path) -> None:
    write_notebook(tmp_path)
    rows = json.loads(run_subprocess("check", "nb.ipynb", "--format", "json", cwd=tmp_path).out)
    assert [(r["code"], r["cell"], r["location"]) for r in rows] == [
        ("AG001", 3, {"row": 3, "column": 1})
    ]
    assert rows[0]["related"][0]["cell"] == 1
    log = json.loads(run_subprocess("check", "nb.ipynb", "--format", "sarif", cwd=tmp_path).out)
    result = log["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "nb.ipynb"
    assert location["region"]["startLine"] == 3
    assert location["properties"] == {"cell": 3}
    assert result["properties"]["cell"] == 3


def test_fix_rewrites_only_the_fixed_cell(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, cells=LEGACY_CELLS)
    before = nbformat.read(path, as_version=4)
    run = run_subprocess("check", "nb.ipynb", "--fix", "--select", "AG013", cwd=tmp_path)
    assert run.code == 0, run
    assert "Fixed 1 finding." in run.err
    after = nbformat.read(path, as_version=4)
    assert after.metadata == before.metadata
    assert len(after.cells) == len(before.cells)
    for index, (old, new) in enumerate(zip(before.cells, after.cells, strict=True)):
        if index == 2:
            assert new.source == (
                "%matplotlib inline\n!pip list\nwith torch.no_grad():\n    w.mul_(10)"
            )
            assert {k: v for k, v in new.items() if k != "source"} == {
                k: v for k, v in old.items() if k != "source"
            }
        else:
            assert new == old, index
    again = run_subprocess("check", "nb.ipynb", "--select", "AG013", cwd=tmp_path)
    assert again.code == 0, again


def test_diff_names_the_cell_and_does_not_write(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, cells=LEGACY_CELLS)
    text = path.read_bytes()
    run = run_subprocess("check", "nb.ipynb", "--diff", "--extend-select", "AG013", cwd=tmp_path)
    assert "--- nb.ipynb:cell 3" in run.out
    assert "+with torch.no_grad():" in run.out
    assert path.read_bytes() == text


def test_directories_pick_up_notebooks(tmp_path: Path) -> None:
    write_notebook(tmp_path / "notebooks")
    run = run_subprocess("check", ".", cwd=tmp_path)
    assert run.code == 1, run
    assert run.out.startswith("notebooks/nb.ipynb:cell 3:3:1: AG001")


def test_a_broken_notebook_is_reported_not_passed(tmp_path: Path) -> None:
    (tmp_path / "bad.ipynb").write_text("{ not json", encoding="utf-8")
    run = run_subprocess("check", "bad.ipynb", cwd=tmp_path)
    assert run.code == 1, run
    assert "bad.ipynb:1:1: E902 not a readable Jupyter notebook" in run.out


def test_fix_refuses_a_read_only_notebook(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, cells=LEGACY_CELLS)
    path.chmod(0o444)
    before = path.read_bytes()
    run = run_subprocess("check", "nb.ipynb", "--fix", "--select", "AG013", cwd=tmp_path)
    assert "nb.ipynb: fix not applied: the file is read-only" in run.err
    assert run.code == 1 and "internal error" not in run.err
    assert path.read_bytes() == before


MAGIC_BLOCK_CELLS = [
    new_code_cell(
        'logger = "TensorBoard"\nif logger == "Comet":\n    %pip install -q comet_ml\n'
        'elif logger == "TensorBoard":\n    %load_ext tensorboard\n    !ls runs/train'
    ),
    new_code_cell("import os\n!python infer.py --model m.pt \\\n  --lang eng\nos.sep"),
    *LEGACY_CELLS[:1],
    new_code_cell("w.data.mul_(10)\n%time y.backward()"),
]
"""A block whose body is only magics (from a logger cell of a public tutorial notebook): IPython
runs it; as comments the ``elif`` would have no body. A shell line continued by a backslash
goes on to the next line (IPython joins them), which is no Python either."""


def test_a_block_of_only_magics_still_parses(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, cells=MAGIC_BLOCK_CELLS)
    rows = json.loads(
        run_subprocess("check", "nb.ipynb", "--format", "json", "--select", "ALL", cwd=tmp_path).out
    )
    assert [(r["code"], r["cell"], r["location"]["row"]) for r in rows] == [("AG013", 4, 1)]
    run = run_subprocess("check", "nb.ipynb", "--fix", "--select", "AG013", cwd=tmp_path)
    assert run.code == 0, run
    after = nbformat.read(path, as_version=4)
    assert after.cells[0].source == MAGIC_BLOCK_CELLS[0].source
    assert after.cells[1].source == MAGIC_BLOCK_CELLS[1].source
    assert after.cells[3].source == "with torch.no_grad():\n    w.mul_(10)\n%time y.backward()"


FUTURE_CELLS = [
    new_code_cell("!pip -q install vit_pytorch linformer"),
    new_code_cell(
        "# imports\nfrom __future__ import print_function\n\nimport torch\n"
        "w = torch.randn(3, requires_grad=True)\ny = (w + 1).sum()"
    ),
    new_code_cell("w.data.mul_(10)\ny.backward()"),
]
"""A ``from __future__`` import at the top of a later cell (as in a public ViT training
notebook): IPython compiles each cell alone, so it is legal there."""


def test_a_future_import_at_the_top_of_a_later_cell_is_not_a_syntax_error(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, cells=FUTURE_CELLS)
    rows = json.loads(
        run_subprocess("check", "nb.ipynb", "--format", "json", "--select", "ALL", cwd=tmp_path).out
    )
    assert [(r["code"], r["cell"], r["location"]["row"]) for r in rows] == [("AG013", 3, 1)]
    run = run_subprocess("check", "nb.ipynb", "--fix", "--select", "AG013", cwd=tmp_path)
    assert run.code == 0, run
    after = nbformat.read(path, as_version=4)
    assert after.cells[0].source == FUTURE_CELLS[0].source
    assert after.cells[1].source == FUTURE_CELLS[1].source  # the import is written back as it was
    assert after.cells[2].source != FUTURE_CELLS[2].source


def test_a_future_import_after_code_in_its_cell_is_a_syntax_error(tmp_path: Path) -> None:
    cells = [*FUTURE_CELLS[:1], new_code_cell("import torch\nfrom __future__ import annotations")]
    write_notebook(tmp_path, cells=cells)
    rows = json.loads(run_subprocess("check", "nb.ipynb", "--format", "json", cwd=tmp_path).out)
    assert [(r["code"], r["cell"], r["location"]["row"]) for r in rows] == [("E999", 2, 2)]
