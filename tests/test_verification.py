"""RC504/RC505: online verification against Crossref, replayed from a local server.

No test touches the network: ``REFCHECK_CROSSREF_URL`` points refcheck at a local
HTTP server answering with real recorded Crossref responses (tests/crossref_replay/,
whose README gives their source and licence), or with a 429, a slow answer, or
nothing at all (a closed port) for the failure paths.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from crossref_replay_server import REPLAY, Replay, replaying

import refcheck
from refcheck import online, retractions
from refcheck.cli import main
from refcheck.engine import FileResult

MANUSCRIPT = """\
# Stimulants, forecasts and fisheries

Methylphenidate harms dopamine neurons in mice [1]. Forecasts can trap managers [2].
Stochastic resonance collapses salmon fisheries [3]. Deep learning predicts coastal
erosion [4]. Studies show that it works.

# References

[1] Sadasivan S, Pond BB, Pani AK, Qu C, Jiao Y, Smeyne RJ. Methylphenidate exposure induces dopamine neuron loss and activation of microglia in the basal ganglia of mice. PLoS One. 2012;7(3):e33693. doi:10.1371/journal.pone.0033693
[2] Boettiger C. The forecast trap. Ecol Lett. 2022;25(7):1655-64.
[3] Boettiger C, Hastings A. Stochastic resonance drives collapse of managed salmon fisheries. Ecol Lett. 2021;24(2):101-9.
[4] Smith J, Doe A. Deep learning of coastal erosion from satellite images. Nature. 2020;580:100-4. doi:10.1371/journal.pone.0033693
"""


@pytest.fixture
def crossref(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """A local Crossref; yields the list of paths it was asked for."""
    with replaying(monkeypatch, tmp_path) as requests:
        yield requests


def findings(text: str = MANUSCRIPT, **settings: object) -> FileResult:
    return refcheck.check(text=text, config={"verify-online": True, **settings})


def online_findings(result: FileResult) -> dict[int, tuple[str, str]]:
    return {f.references[0]: (f.code, f.message) for f in result.findings if f.code in ("RC504", "RC505")}


def test_fabricated_reference_and_borrowed_doi(crossref: list[str]) -> None:
    result = findings(select=["RC5"], mailto="desk@example.org")
    found = online_findings(result)
    assert sorted(found) == [3, 4], "[1] and [2] are in Crossref as cited"
    code, message = found[3]
    assert code == "RC504" and "no Crossref record matches its title, first author and year" in message
    assert "the closest is “" in message and "(Boettiger, " in message, "says what the registry holds"
    code, message = found[4]
    assert code == "RC505"
    assert "doi:10.1371/journal.pone.0033693 is registered to “Methylphenidate Exposure Induces Dopamine" in message
    assert "(Sadasivan, 2012)" in message and "another title, first author and year" in message
    searched = [parse_qs(urlsplit(p).query).get("query.bibliographic", [""])[0] for p in crossref]
    assert "The forecast trap" in searched, "[2] was looked up, and found"
    assert all("mailto=desk%40example.org" in path for path in crossref), "the polite pool's address goes along"
    first = f"{len(crossref)} requests"
    online.reset_sessions()
    again = findings(select=["RC5"], mailto="desk@example.org")
    assert online_findings(again) == found
    assert f"{len(crossref)} requests" == first, "the second run is answered from the disk cache"


def test_off_by_default_nothing_is_sent(crossref: list[str]) -> None:
    result = refcheck.check(text=MANUSCRIPT, config={"select": ["RC5"]})
    assert result.findings == [] and crossref == []
    assert not (retractions.cache_dir() / "crossref").exists()


def test_a_doi_unknown_to_crossref(crossref: list[str]) -> None:
    text = MANUSCRIPT.replace("doi:10.1371/journal.pone.0033693\n[2]", "doi:10.1371/notarealdoi\n[2]")
    found = online_findings(findings(text, select=["RC5"]))
    assert found[1][0] == "RC504"
    assert "Crossref has no record of doi:10.1371/notarealdoi, nor of a work with this title" in found[1][1]
    datacite = MANUSCRIPT.replace("doi:10.1371/journal.pone.0033693\n[2]", "doi:10.5281/zenodo.1234\n[2]")
    assert 1 not in online_findings(findings(datacite, select=["RC5"])), "a DataCite DOI is not Crossref's to know"


def baseline() -> list[tuple[str, int, int]]:
    return [(f.code, f.block, f.start) for f in refcheck.check(text=MANUSCRIPT).findings]


@pytest.mark.parametrize("mode", ["429", "slow", "down"])
def test_rate_limits_timeouts_and_a_dead_network_change_nothing_else(
        crossref: list[str], mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = baseline()
    Replay.mode = mode
    monkeypatch.setattr(online, "TIMEOUT", 0.5)
    if mode == "down":
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        monkeypatch.setenv("REFCHECK_CROSSREF_URL", f"http://127.0.0.1:{port}")
        online.reset_sessions()
    result = findings()
    assert [(f.code, f.block, f.start) for f in result.findings] == expected, "the other rules' output is unchanged"
    assert [n for n in result.notices if "Crossref" in n] == [result.notices[-1]]
    note = result.notices[-1]
    assert "online verification stopped" in note and "other rules' findings are unaffected" in note
    assert ("429" in note) if mode == "429" else ("could not be reached" in note)
    if mode == "429":
        assert len(crossref) == 2, "one retry after Retry-After, then no more requests"
    second = findings()
    assert not [n for n in second.notices if "Crossref" in n], "said once per run"


def test_cli_flag_and_configuration(crossref: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ms = tmp_path / "ms.md"
    ms.write_text(MANUSCRIPT, "utf-8")
    code = main(["check", str(ms), "--select", "RC504,RC505", "--verify-online", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    codes = sorted(f["code"] for f in out["files"][0]["findings"])
    assert code == 1 and codes == ["RC504", "RC505"]
    assert main(["check", str(ms), "--select", "RC504,RC505", "--format", "json"]) == 0
    capsys.readouterr()
    (tmp_path / "refcheck.toml").write_text('verify-online = "yes"\n', "utf-8")
    assert main(["check", str(ms)]) == 2
    assert "verify-online: expected true or false" in capsys.readouterr().err


def test_comparison() -> None:
    from refcheck.model import Reference

    record = json.loads((REPLAY / "work-10.1371-journal.pone.0033693.json").read_text("utf-8"))["message"]
    ref = Reference(number=1, block=0, text="", authors=("Sadasivan S",), year=2012,
                    title="Methylphenidate exposure induces dopamine neuron loss and activation of microglia in the "
                          "basal ganglia of mice")
    assert online.compare(ref, record).mismatches == []
    assert online.compare(ref.__class__(**{**ref.__dict__, "year": 2014}), record).mismatches == ["year"]
    assert online.compare(ref.__class__(**{**ref.__dict__, "year": 2013}), record).mismatches == [], "online first"
    other = ref.__class__(**{**ref.__dict__, "authors": ("Pond BB",)})
    assert online.compare(other, record).mismatches == [], "any of the authors, author order is often cut"


def test_cached_answers_expire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))
    online._cache_write("https://api.crossref.org/works/10.1/x?mailto=a%40b.c", 200, {"message": {}}, 1)
    assert online._cache_read("https://api.crossref.org/works/10.1/x") == (200, {"message": {}}), "mailto is no key"
    online._cache_write("https://api.crossref.org/works/10.1/y", 404, None, -1)
    assert online._cache_read("https://api.crossref.org/works/10.1/y") is None
