"""``--executor dask`` on a LocalCluster gives exactly the local pool's output."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from refcheck.batch import run_batch
from refcheck.config import Config
from tests.conftest import CORPUS, EXAMPLE_FILES, corpus_dir

distributed = pytest.importorskip("distributed")

COMPARED = ["summary.csv", "report.html", "manifest.json"]


def _args(inbox: Path, out: Path, executor: str, scheduler: str | None = None, jobs: int = 1) -> argparse.Namespace:
    return argparse.Namespace(inputs=[str(inbox)], out=out, jobs=jobs, force=False, executor=executor,
                              scheduler=scheduler, fail_on=None)


def test_dask_matches_local_pool(tmp_path: Path) -> None:
    corpus_dir("jats")
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLE_FILES["txt"], inbox)
    shutil.copy(EXAMPLE_FILES["docx"], inbox)
    shutil.copy(CORPUS / "jats" / "plos__journal.pmed.1000097.xml", inbox)
    (inbox / "broken.docx").write_bytes(b"not a zip")
    local = run_batch(_args(inbox, tmp_path / "local", "local"), Config())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_batch(_args(inbox, tmp_path / "dask", "dask", cluster.scheduler_address), Config())
    assert local == remote == 2
    for name in COMPARED:
        a, b = ((tmp_path / d / name).read_text("utf-8").splitlines() for d in ("local", "dask"))
        assert a == b, (name, [(x, y) for x, y in zip(a, b, strict=False) if x != y][:3])
    for p in sorted((tmp_path / "local" / "json").iterdir()):
        assert p.read_bytes() == (tmp_path / "dask" / "json" / p.name).read_bytes()
    assert sorted(q.name for q in (tmp_path / "dask" / "annotated").iterdir()) == ["seed-review.refcheck.docx", "seed-review.refcheck.txt"]


def test_unreachable_scheduler_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from refcheck.cli import main

    shutil.copy(EXAMPLE_FILES["txt"], tmp_path)
    code = main(["batch", str(tmp_path / "seed-review.txt"), "--out", str(tmp_path / "o"), "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err and "Traceback" not in err
