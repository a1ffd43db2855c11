"""Packaging and plugin wiring: the wheel carries every rule module; every hook is honest."""

from __future__ import annotations

import inspect
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

from refcheck import hookspecs
from refcheck.plugins import get_plugin_manager


def test_wheel_contains_every_rule_module(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("refcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in (ROOT / "refcheck" / "rules").glob("*.py"):
        assert f"refcheck/rules/{module.name}" in names
    for data in (ROOT / "refcheck" / "rules" / "lexicons").glob("*.*"):
        assert f"refcheck/rules/lexicons/{data.name}" in names
    assert "refcheck/schemas/report.schema.json" in names  # the JSON contract ships with the code
    assert "refcheck/analysis/data/term_weights.tsv" in names  # the scorer's data, beside the scorer
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[refcheck]" in text and "refcheck.rules.citations" in text


def test_check_pending_and_builtins_come_from_entry_points() -> None:
    pm = get_plugin_manager()
    pm.check_pending()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"refcheck.rules.citations", "refcheck.readers.text", "refcheck.readers.docx"} <= names
    assert all(dist.project_name == "refcheck" for _, dist in pm.list_plugin_distinfo() if dist.project_name == "refcheck")


def test_every_hookspec_is_documented() -> None:
    specs = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("refcheck_")]
    assert len(specs) >= 4
    for spec in specs:
        assert spec.__doc__ and len(spec.__doc__.split()) > 8, spec.__name__
