"""The house plan's boundaries, enforced rather than hoped for (issue #20).

``lint-imports`` checks the contracts in pyproject.toml's ``[tool.importlinter]``:
readers, rules and reporters never import one another, the model imports nothing
else of refcheck, analysis never imports rules, the OOXML layer is the ground floor,
and no import ring joins refcheck's modules.  The rest is checked here directly.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.fail("lint-imports is not installed: `make test` installs the dev extra, which has import-linter")
    proc = subprocess.run([str(lint_imports), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def _private_imports(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("refcheck"):
            out += [f"{path.relative_to(root)}:{node.lineno}: {node.module}.{a.name}"
                    for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return out


def test_no_module_imports_another_modules_private_names() -> None:
    """A leading underscore means "mine": a name another module needs is made public,
    with a docstring saying why, so the dependency is visible."""
    found = [hit for folder in ("refcheck", "benchmarks") for p in sorted((ROOT / folder).rglob("*.py"))
             for hit in _private_imports(p)]
    assert found == []


def test_the_word_comment_writer_stays_small() -> None:
    """The writer keeps the comments part and note anchoring; the OOXML mechanics
    live in refcheck/ooxml/, shared with the reader and fix."""
    lines = (ROOT / "refcheck" / "reporters" / "docx_comments.py").read_text("utf-8").count("\n")
    assert lines < 400, lines


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    """The private-import scan is not vacuous: it finds one when there is one."""
    bad = tmp_path / "probe.py"
    bad.write_text("from refcheck.readers.text import _metadata\n", "utf-8")
    assert _private_imports(bad, tmp_path) == ["probe.py:1: refcheck.readers.text._metadata"]
