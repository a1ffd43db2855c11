"""Optional online verification of references against Crossref (issue #21, second part).

Off unless the user asks (``--verify-online`` or ``verify-online = true``): a
manuscript check otherwise never opens a connection.  When asked, each reference is
looked up in Crossref's REST API — its DOI at ``/works/{doi}``, or, without a DOI,
a bibliographic search on its title, first author and year — and the answers feed
RC504 (no record matches: the signature of a fabricated reference) and RC505 (the
DOI belongs to another paper).

What is sent: the reference's DOI, or its title, first author's surname and year,
and the ``mailto`` address when one is configured (Crossref's "polite pool": it lets
Crossref contact you instead of blocking you).  Nothing else of the manuscript —
no text, no file name — ever leaves the machine.

Being a good citizen, and never breaking a run:

* requests go out one at a time per process, at most :data:`RATE` a second, with a
  :data:`TIMEOUT` each; a 429 is honoured (``Retry-After``, once), and a second one
  stops the lookups for the rest of the run;
* an unreachable network (DNS failure, refused connection, timeout) stops the lookups
  for the rest of the run after the first failure;
* in both cases the other rules' findings are unchanged, the online rules report
  nothing for the references not looked up, and the run says so once
  (:func:`session_notice`);
* answers are cached on disk (``cache_dir()/crossref``) for :data:`CACHE_DAYS`
  days (a "no such DOI" for one day), so a re-run sends nothing new.

``REFCHECK_CROSSREF_URL`` replaces ``https://api.crossref.org`` (a mirror, or the
tests' local replay server).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.model import Reference
from refcheck.retractions import cache_dir, normalise_doi, normalise_title, surname_tokens

DEFAULT_URL = "https://api.crossref.org"
TIMEOUT = 10.0  # seconds per request
RATE = 5.0  # requests per second at most (Crossref's public pool allows 5)
CACHE_DAYS = 30
NOT_FOUND_CACHE_DAYS = 1
MAX_RETRY_AFTER = 5.0  # seconds we are willing to wait once for a 429


@dataclass
class Answer:
    """One lookup: ``status`` is ``found``, ``not-found`` or ``skipped`` (the run
    stopped looking up: network down or rate limited); ``items`` are Crossref work
    records (one for a DOI, the candidates of a search)."""

    status: str
    items: list[dict[str, Any]] = field(default_factory=list)


class Session:
    """The lookups of one process: rate limit, stop state and the notice said once."""

    def __init__(self, base_url: str, mailto: str | None):
        self.base_url = base_url.rstrip("/")
        self.mailto = mailto
        self.stopped: str | None = None  # why lookups stopped, once they have
        self.announced = False
        self.sent = 0
        self._lock = threading.Lock()
        self._next = 0.0

    # -- HTTP ---------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, str] | None = None) -> str:
        query = dict(params or {})
        if self.mailto:
            query["mailto"] = self.mailto
        return self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")

    def _wait_turn(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + 1.0 / RATE
        if delay > 0:
            time.sleep(delay)

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, Any] | None:
        """``(status, parsed JSON or None)``, from the cache or Crossref; None when the
        run has stopped looking up (and, the first time, why is recorded)."""
        url = self._url(path, params)
        cached = _cache_read(url)
        if cached is not None:
            return cached
        if self.stopped:
            return None
        for attempt in (1, 2):
            self._wait_turn()
            request = urllib.request.Request(url, headers={"User-Agent": _user_agent(self.mailto),
                                                           "Accept": "application/json"})
            self.sent += 1
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - https or the configured mirror
                    body = json.loads(response.read().decode("utf-8"))
                _cache_write(url, 200, body, CACHE_DAYS)
                return 200, body
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    _cache_write(url, 404, None, NOT_FOUND_CACHE_DAYS)
                    return 404, None
                if exc.code == 429 and attempt == 1:
                    time.sleep(min(_retry_after(exc.headers.get("Retry-After")), MAX_RETRY_AFTER))
                    continue
                self.stopped = (f"Crossref answered HTTP {exc.code}" + (" (rate limited)" if exc.code == 429 else "")
                                + " and online verification stopped")
                return None
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                self.stopped = f"Crossref could not be reached ({reason}); online verification stopped"
                return None
        return None

    # -- lookups ------------------------------------------------------------------

    def work(self, doi: str) -> Answer:
        got = self.get("/works/" + urllib.parse.quote(doi, safe=""))
        if got is None:
            return Answer("skipped")
        status, body = got
        if status == 404 or not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            return Answer("not-found")
        return Answer("found", [body["message"]])

    def search(self, ref: Reference) -> Answer:
        params = {"query.bibliographic": ref.title or "", "rows": "5"}
        if ref.authors:
            surnames = sorted(surname_tokens(ref.authors[0]), key=len, reverse=True)
            if surnames:
                params["query.author"] = surnames[0]
        if ref.year:
            params["filter"] = f"from-pub-date:{ref.year - 1},until-pub-date:{ref.year + 1}"
        got = self.get("/works", params)
        if got is None:
            return Answer("skipped")
        status, body = got
        items = body.get("message", {}).get("items", []) if isinstance(body, dict) else []
        return Answer("found" if items else "not-found", [i for i in items if isinstance(i, dict)])


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _user_agent(mailto: str | None) -> str:
    from refcheck.version import __version__

    return f"refcheck/{__version__} (https://github.com/refcheck/refcheck" + (f"; mailto:{mailto})" if mailto else ")")


# -- the on-disk cache ----------------------------------------------------------------


def _cache_file(url: str) -> Path:
    # The mailto is not part of the key: the same question has the same answer.
    key = re.sub(r"([?&])mailto=[^&]*&?", r"\1", url).rstrip("?&")
    return cache_dir() / "crossref" / (hashlib.sha1(key.encode("utf-8")).hexdigest() + ".json")


def _cache_read(url: str) -> tuple[int, Any] | None:
    path = _cache_file(url)
    try:
        entry = json.loads(path.read_text("utf-8"))
        if entry["expires"] > time.time():
            return int(entry["status"]), entry["body"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def _cache_write(url: str, status: int, body: Any, days: float) -> None:
    path = _cache_file(url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"url": url, "status": status, "body": body,
                                   "expires": time.time() + days * 86400}), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache costs a repeat request next run, never a failure


_SESSIONS: dict[tuple[str, str | None], Session] = {}


def session(mailto: str | None) -> Session:
    """The process's session for this mailto (rate limit and stop state are shared by
    every manuscript of the run)."""
    base = os.environ.get("REFCHECK_CROSSREF_URL") or DEFAULT_URL
    key = (base, mailto)
    if key not in _SESSIONS:
        _SESSIONS[key] = Session(base, mailto)
    return _SESSIONS[key]


def reset_sessions() -> None:
    """Forget every session (tests; a long-lived process starting a new run)."""
    _SESSIONS.clear()


def session_notice(s: Session) -> str | None:
    """Why lookups stopped, the first time it is asked after they did; None after."""
    if s.stopped and not s.announced:
        s.announced = True
        return f"{s.stopped}; the other rules' findings are unaffected"
    return None


# -- comparing a reference with a record --------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """How a Crossref record compares with a reference; each ``*_ok`` is None when
    one side lacks the field."""

    title_ok: bool | None
    author_ok: bool | None
    year_ok: bool | None
    record_title: str
    record_author: str
    record_year: int | None

    @property
    def mismatches(self) -> list[str]:
        return [name for name, ok in (("title", self.title_ok), ("first author", self.author_ok),
                                      ("year", self.year_ok)) if ok is False]


def _words(title: str) -> set[str]:
    return {w for w in normalise_title(title).split() if len(w) > 2}


def title_similarity(a: str, b: str) -> float:
    """Share of the two titles' words (three letters or more) they have in common."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def record_year(record: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (record.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def record_title(record: dict[str, Any]) -> str:
    titles = record.get("title") or []
    title = titles[0] if titles and isinstance(titles[0], str) else ""
    subtitle = (record.get("subtitle") or [""])[0] if record.get("subtitle") else ""
    return f"{title}: {subtitle}" if subtitle and subtitle.lower() not in title.lower() else title


def record_authors(record: dict[str, Any]) -> list[str]:
    return [a.get("family") or a.get("name") or "" for a in record.get("author") or [] if isinstance(a, dict)]


#: A title this close is the same work (punctuation, a subtitle, a word of difference).
SAME_TITLE = 0.8
#: A title this far is another work.
OTHER_TITLE = 0.3


def compare(ref: Reference, record: dict[str, Any]) -> Comparison:
    """The reference against a record: title by shared words, first author by surname
    (any of the record's authors, since author order is often abbreviated), year
    within one (online first, print next year)."""
    title = record_title(record)
    authors = record_authors(record)
    year = record_year(record)
    title_ok: bool | None = None
    if ref.title and title:
        sim = title_similarity(ref.title, title)
        title_ok = True if sim >= SAME_TITLE else (False if sim < OTHER_TITLE else None)
    author_ok: bool | None = None
    if ref.authors and authors:
        names = set().union(*(surname_tokens(a) for a in authors if a))
        mine = surname_tokens(ref.authors[0])
        if mine and names:
            author_ok = bool(mine & names)
    year_ok = None if not (ref.year and year) else abs(ref.year - year) <= 1
    return Comparison(title_ok, author_ok, year_ok, title, authors[0] if authors else "", year)


def verifiable(ref: Reference) -> bool:
    """A reference worth asking about: a DOI, or a confident title of at least three
    words (of three letters or more) with a year and a first author — a web page or a
    dataset without them is not a paper, and a shorter title finds too much."""
    if normalise_doi(ref.doi):
        return True
    return bool(ref.title and ref.year and ref.authors and ref.confidence >= 0.9 and len(_words(ref.title)) >= 3)
