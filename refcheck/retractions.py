"""The Retraction Watch database as a compact on-disk index the RC5xx rules look up.

Crossref publishes the Retraction Watch database as one CSV (about 60 MB and 65,000+
notices, updated daily).  Parsing it for every manuscript would cost seconds per run
and per batch worker, so it is read once into a SQLite file in the user's cache
folder, keyed by the original paper's DOI, its PubMed ID, and its normalised title
with the year of publication.  The index remembers the CSV's size and modification
time: a new download is re-indexed on the next run, an unchanged one is only opened
(a file stat and a few queries, no CSV parsing).  Batch workers share the file the
parent process built, since the configuration is validated — and the index built —
before any manuscript is checked.

Everything a user can get wrong about the file (missing, unreadable, compressed,
not the Retraction Watch columns, a malformed row, too old) is a
:class:`~refcheck.config.ConfigError`: one line naming the file and the problem,
exit code 2, before any manuscript is read.  A check that silently matched nothing
would tell an editor that no reference is retracted.

Matching is for findings an editor can sign: a DOI first, then a PubMed ID, and a
title only when the reader is sure of it (``Reference.confidence``), the normalised
title is identical, the year agrees and the first author is among the notice's
authors.  Nothing is fuzzy.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from refcheck.model import ConfigError, Reference

#: Bumped when the index layout changes, so an old cache file is rebuilt, never misread.
INDEX_VERSION = "3"

#: The columns of the published CSV that refcheck reads; a file without one of them is
#: not the Retraction Watch export (or a newer layout refcheck does not know).
REQUIRED_COLUMNS = (
    "Record ID", "Title", "Journal", "Author", "RetractionDate", "RetractionDOI",
    "RetractionPubMedID", "OriginalPaperDate", "OriginalPaperDOI", "OriginalPaperPubMedID",
    "RetractionNature", "Reason",
)
OPTIONAL_COLUMNS = ("URLS",)

#: Days the newest notice of the file may be old before it is refused (the
#: ``retractions-max-age`` key): a year-old copy misses thousands of retractions.
DEFAULT_MAX_AGE_DAYS = 180

# Natures as the database spells them, lower-cased.
RETRACTION, CONCERN, CORRECTION, REINSTATEMENT = (
    "retraction", "expression of concern", "correction", "reinstatement")

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_RETRACTED_MARK = re.compile(r"^\s*(?:retracted(?:\s+article)?\s*[:.-]\s*)|\s*[\[(]retracted[^\])]*[\])]\s*$", re.I)
_INITIALS = re.compile(r"^[A-Z]{1,3}$")
_ASCII_PUNCT = re.compile(r"[^a-z0-9]+")
_PUNCT = re.compile(r"[^\w]+|_")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


class RetractionsError(ConfigError):
    """Why the retractions file cannot be used: a configuration error (one line, exit 2)."""


# -- normalisation -------------------------------------------------------------------


def normalise_doi(value: str | None) -> str | None:
    """The DOI lower-cased without ``https://doi.org/`` or ``doi:``; None when it is no
    DOI (the database writes ``unavailable``)."""
    if not value:
        return None
    doi = value.strip()
    if not doi.startswith("10."):
        doi = _DOI_PREFIX.sub("", doi).strip()
    doi = doi.rstrip(".,;").lower()
    return doi if doi.startswith("10.") and "/" in doi else None


def normalise_pmid(value: str | None) -> str | None:
    """The PubMed ID as digits; None for the database's ``0`` (no PubMed record)."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(".0"):  # a spreadsheet round trip writes 9500320.0
        text = text[:-2]
    return text if text.isdigit() and int(text) > 0 else None


def normalise_title(value: str | None) -> str:
    """Accents, case, punctuation and a ``RETRACTED:`` label removed, spaces collapsed:
    the same title typed by an author or exported by a publisher gives the same key."""
    if not value:
        return ""
    text = _RETRACTED_MARK.sub(" ", value) if "etract" in value or "ETRACT" in value else value
    if text.isascii():  # most titles: no accents to strip (65,000 rows, so it counts)
        return " ".join(_ASCII_PUNCT.sub(" ", text.lower()).split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def parse_date(value: str | None) -> str | None:
    """An ISO date from the database's ``4/15/2021 0:00`` (or ISO) form; None otherwise."""
    if not value:
        return None
    text = value.strip()
    m = _US_DATE.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
        m = _ISO_DATE.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
    return None


def surname_tokens(name: str) -> set[str]:
    """The words of a name that can be a surname: initials (``AJ``, ``J.``) dropped."""
    words = re.findall(r"[^\W\d_]+", name)
    return {normalise_title(w) for w in words if len(w) > 1 and not _INITIALS.match(w)}


# -- the notices ----------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One row of the database: a notice (retraction, expression of concern,
    correction, reinstatement) about one original paper."""

    record_id: str
    title: str
    journal: str
    authors: tuple[str, ...]
    nature: str  # as the database writes it: "Retraction", "Expression of concern", ...
    date: str | None  # ISO date of the notice
    notice_doi: str | None
    notice_pmid: str | None
    original_date: str | None
    original_doi: str | None
    original_pmid: str | None
    reason: str
    urls: str = ""

    @property
    def kind(self) -> str:
        return self.nature.strip().lower()

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


@dataclass(frozen=True)
class Match:
    """The notices about one cited paper and how the paper was recognised."""

    notices: tuple[Notice, ...]
    matched_by: str  # "DOI", "PMID" or "title"


# -- reading the CSV ------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    if data[:2] == b"\x1f\x8b" or data[:4] == b"PK\x03\x04":
        raise RetractionsError(f"{path}: is compressed; unpack it and give the .csv inside")
    if b"\x00" in data[:65536]:
        raise RetractionsError(f"{path}: is a binary file, not the Retraction Watch CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older exports were Latin-1; every byte decodes, and a file that is no CSV at
        # all then fails the column check with a clear message.
        return data.decode("latin-1")


def read_notices(path: Path) -> Iterator[Notice]:
    """The notices of a Retraction Watch CSV, in file order (see :func:`read_records`)."""
    for r in read_records(path):
        yield Notice(record_id=r[0], title=r[1], journal=r[2],
                     authors=tuple(a.strip() for a in r[3].split(";") if a.strip()), nature=r[4], date=r[5],
                     notice_doi=r[6], notice_pmid=r[7], original_date=r[8], original_doi=r[9], original_pmid=r[10],
                     reason=r[11], urls=r[12])


Record = tuple[str, str, str, str, str, "str | None", "str | None", "str | None", "str | None", "str | None",
               "str | None", str, str]


def read_records(path: Path) -> Iterator[Record]:
    """The rows of a Retraction Watch CSV as plain tuples in :data:`_COLUMNS` order (and
    the URLs), identifiers and dates normalised: what the index stores.

    Raises :class:`RetractionsError` (one line, naming the file) when the file cannot
    be read, lacks a column refcheck needs, or has a row that is not well-formed CSV
    or has a different number of fields from the header.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RetractionsError(f"{path}: no such retractions file") from None
    except IsADirectoryError:
        raise RetractionsError(f"{path}: is a directory, not the Retraction Watch CSV") from None
    except OSError as exc:
        raise RetractionsError(f"{path}: cannot read the retractions file ({exc.strerror or exc})") from None
    if not data.strip():
        raise RetractionsError(f"{path}: the retractions file is empty")
    text = _decode(path, data)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            # The file's own text is not quoted: the path may come from a configuration
            # that travelled with a submission, and its first line is none of its business.
            raise RetractionsError(
                f"{path}: not the Retraction Watch CSV: no column {', '.join(missing[:3])}"
                f"{' …' if len(missing) > 3 else ''} (the export from Crossref has them all)")
        at = [header.index(name) for name in REQUIRED_COLUMNS]
        urls = header.index("URLS") if "URLS" in header else None
        width = len(header)
        for row in reader:
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                raise RetractionsError(f"{path}: malformed CSV: line {reader.line_num} has {len(row)} "
                                       f"fields, the header has {width}")
            (record, title, journal, author, date, notice_doi, notice_pmid, original_date, original_doi,
             original_pmid, nature, reason) = (row[i].strip() for i in at)
            yield (record, title, journal, author, nature or "Retraction", parse_date(date),
                   normalise_doi(notice_doi), normalise_pmid(notice_pmid), parse_date(original_date),
                   normalise_doi(original_doi), normalise_pmid(original_pmid), reason,
                   row[urls].strip() if urls is not None else "")
    except StopIteration:
        raise RetractionsError(f"{path}: the retractions file has no header line") from None
    except csv.Error as exc:
        raise RetractionsError(f"{path}: malformed CSV at line {reader.line_num}: {exc}") from None


def keys_of(notice: Notice) -> list[str]:
    """The lookup keys of a notice's original paper: ``doi:``, ``pmid:``, ``title:`` digest."""
    return _keys(notice.original_doi, notice.original_pmid, notice.title, notice.original_date)


def _keys(doi: str | None, pmid: str | None, title: str, date: str | None) -> list[str]:
    keys = []
    if doi:
        keys.append(f"doi:{doi}")
    if pmid:
        keys.append(f"pmid:{pmid}")
    if date:
        normalised = normalise_title(title)
        if normalised:
            keys.append(title_key(normalised, int(date[:4])))
    return keys


def title_key(normalised_title: str, year: int) -> str:
    """``title:`` and a 16-hex-digit digest of the normalised title and year: the
    index stays small, and an identical title is still the only way to a match."""
    digest = hashlib.blake2b(f"{normalised_title}|{year}".encode(), digest_size=8).hexdigest()
    return f"title:{digest}"


# -- the index ------------------------------------------------------------------------

_COLUMNS = ("record_id", "title", "journal", "authors", "nature", "date", "notice_doi", "notice_pmid",
            "original_date", "original_doi", "original_pmid", "reason")


def cache_dir() -> Path:
    """Where indexes live: ``$REFCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/refcheck``,
    else ``~/.cache/refcheck``."""
    if os.environ.get("REFCHECK_CACHE_DIR"):
        return Path(os.environ["REFCHECK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "refcheck"


def index_path(csv_path: Path) -> Path:
    """The index file of a CSV: one per CSV location, so two snapshots never collide."""
    digest = hashlib.sha1(str(csv_path.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir() / f"retractions-{digest}.sqlite"


def _stamp(csv_path: Path) -> dict[str, str]:
    st = csv_path.stat()
    return {"version": INDEX_VERSION, "source": str(csv_path.resolve()), "size": str(st.st_size),
            "mtime_ns": str(st.st_mtime_ns)}


def _build(csv_path: Path, target: str) -> None:
    """Write the index of ``csv_path`` into the SQLite file ``target`` (``:memory:`` too)."""
    con = sqlite3.connect(target)
    try:
        _fill(con, csv_path)
    finally:
        con.close()


def _fill(con: sqlite3.Connection, csv_path: Path) -> None:
    stamp = _stamp(csv_path)  # taken before reading: a file replaced meanwhile is re-read next time
    con.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
        f"CREATE TABLE notices (id INTEGER PRIMARY KEY, {', '.join(c + ' TEXT' for c in _COLUMNS)});"
        "CREATE TABLE keys (key TEXT NOT NULL, notice INTEGER NOT NULL, PRIMARY KEY (key, notice)) WITHOUT ROWID;"
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);")
    rows: list[tuple[object, ...]] = []
    keys: list[tuple[str, int]] = []
    newest = ""
    for i, r in enumerate(read_records(csv_path), start=1):
        rows.append((i, *r[:12]))
        keys.extend((k, i) for k in _keys(r[9], r[10], r[1], r[8]))
        if r[5] and r[5] > newest:
            newest = r[5]
    if not rows:
        raise RetractionsError(f"{csv_path}: the retractions file holds no notices (only a header)")
    con.executemany(f"INSERT INTO notices VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})", rows)
    con.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", keys)
    meta = {**stamp, "notices": str(len(rows)), "newest": newest}
    con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    con.commit()


class RetractionIndex:
    """An open index: notices by DOI, PMID or title + year of the original paper."""

    def __init__(self, con: sqlite3.Connection, csv_path: Path, built: bool):
        self._con = con
        self.csv_path = csv_path
        #: True when this call read the CSV (first use, or the CSV changed); False when
        #: an index built earlier was reused without reading the CSV.
        self.built = built
        self.meta = dict(con.execute("SELECT name, value FROM meta"))

    @property
    def newest(self) -> str | None:
        """ISO date of the newest notice in the file (how current the snapshot is)."""
        return self.meta.get("newest") or None

    @property
    def size(self) -> int:
        return int(self.meta.get("notices", 0))

    def notices(self, key: str) -> list[Notice]:
        cur = self._con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM notices WHERE id IN (SELECT notice FROM keys WHERE key = ?) "
            "ORDER BY date, id", (key,))
        out = []
        for row in cur:
            values = dict(zip(_COLUMNS, row, strict=True))
            values["authors"] = tuple(a.strip() for a in (values["authors"] or "").split(";") if a.strip())
            for name in ("record_id", "title", "journal", "nature", "reason"):
                values[name] = values[name] or ""
            out.append(Notice(**values))
        return out

    def match(self, ref: Reference, *, by_title: bool = True, min_confidence: float = 0.9) -> Match | None:
        """The notices about the paper ``ref`` cites, or None.

        DOI and PubMed ID are exact identifiers; both are looked up and their notices
        combined.  The title is tried only when neither identifier is in the
        database, and only under every condition of :meth:`title_matches`.
        """
        found: dict[tuple[str, str | None, str | None], Notice] = {}
        how = []
        doi, pmid = normalise_doi(ref.doi), normalise_pmid(ref.pmid)
        for label, key in (("DOI", f"doi:{doi}" if doi else None), ("PMID", f"pmid:{pmid}" if pmid else None)):
            if key is None:
                continue
            hits = self.notices(key)
            for n in hits:
                found.setdefault((n.record_id, n.nature, n.date), n)
            if hits:
                how.append(label)
        if found:
            return Match(tuple(sorted(found.values(), key=lambda n: (n.date or "", n.record_id))), " and ".join(how))
        if not by_title:
            return None
        hits = self.title_matches(ref, min_confidence)
        return Match(tuple(hits), "title") if hits else None

    def title_matches(self, ref: Reference, min_confidence: float = 0.9) -> list[Notice]:
        """Notices whose paper has exactly the reference's title, for a strict match.

        Every condition must hold: the reader is sure of the title (``confidence``),
        the normalised title has at least five words (``Editorial`` or ``Erratum``
        name many papers), the notice's original paper appeared in the cited year or
        the year before (online first, print next year), the reference's first author
        is among the notice's authors, and the notice's paper has no DOI or PubMed ID
        that contradicts the reference's own.
        """
        if not ref.title or ref.confidence < min_confidence or not ref.year or not ref.authors:
            return []
        title = normalise_title(ref.title)
        if len(title.split()) < 5:
            return []
        first = surname_tokens(ref.authors[0])
        if not first:
            return []
        doi, pmid = normalise_doi(ref.doi), normalise_pmid(ref.pmid)
        out: list[Notice] = []
        for year in (ref.year, ref.year - 1):
            for n in self.notices(title_key(title, year)):
                names = set().union(*(surname_tokens(a) for a in n.authors)) if n.authors else set()
                if not first & names:
                    continue
                if (doi and n.original_doi and n.original_doi != doi) or (pmid and n.original_pmid and n.original_pmid != pmid):
                    continue
                out.append(n)
        return sorted(out, key=lambda n: (n.date or "", n.record_id))

    def close(self) -> None:
        self._con.close()


def _open_existing(path: Path, stamp: dict[str, str]) -> sqlite3.Connection | None:
    """The index at ``path`` when it is current for ``stamp``; None when absent, stale or damaged."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        meta = dict(con.execute("SELECT name, value FROM meta"))
    except sqlite3.Error:
        return None
    if all(meta.get(k) == v for k, v in stamp.items()):
        return con
    con.close()
    return None


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def open_index(csv_path: str | os.PathLike[str]) -> RetractionIndex:
    """The index of the CSV at ``csv_path``, built (and written to :func:`cache_dir`) when
    absent or older than the CSV, else reused without reading the CSV.

    The new index is written to a temporary file and moved into place, so a batch
    worker never sees half an index.  When the cache folder cannot be written the
    index is built in memory for this run (slower, never wrong).
    """
    path = Path(csv_path)
    try:
        stamp = _stamp(path)
    except FileNotFoundError:
        raise RetractionsError(f"{path}: no such retractions file") from None
    except OSError as exc:
        raise RetractionsError(f"{path}: cannot read the retractions file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise RetractionsError(f"{path}: is a directory, not the Retraction Watch CSV")
    target = index_path(path)
    con = _open_existing(target, stamp)
    if con is not None:
        return RetractionIndex(con, path, built=False)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _discard(tmp)
        _build(path, str(tmp))
        os.replace(tmp, target)
    except RetractionsError:
        _discard(tmp)
        raise
    except (OSError, sqlite3.Error):
        _discard(tmp)
        mem = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(mem, path)
        return RetractionIndex(mem, path, built=True)
    con = _open_existing(target, stamp)
    if con is None:  # the CSV changed while it was read: read it once more, in memory
        mem = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(mem, path)
        return RetractionIndex(mem, path, built=True)
    return RetractionIndex(con, path, built=True)


def require(csv_path: str | os.PathLike[str], max_age_days: int = DEFAULT_MAX_AGE_DAYS,
            today: dt.date | None = None) -> RetractionIndex:
    """:func:`open_index`, and refuse a snapshot whose newest notice is older than
    ``max_age_days`` (0 = any age): an old copy would pass recent retractions as sound."""
    index = open_index(csv_path)
    if max_age_days and index.newest:
        age = ((today or dt.date.today()) - dt.date.fromisoformat(index.newest)).days
        if age > max_age_days:
            raise RetractionsError(
                f"{csv_path}: stale retractions file: its newest notice is dated {index.newest}, {age} days ago "
                f"(retractions-max-age = {max_age_days}); download a fresh copy, or raise retractions-max-age")
    return index


@lru_cache(maxsize=4)
def _cached(path: str, size: int, mtime_ns: int) -> RetractionIndex:
    return open_index(path)


def index_for(csv_path: str | os.PathLike[str]) -> RetractionIndex:
    """The open index for ``csv_path``, opened once per process while the CSV is unchanged
    (the rules call this once per manuscript)."""
    path = Path(csv_path)
    try:
        st = path.stat()
    except OSError as exc:
        raise RetractionsError(f"{path}: cannot read the retractions file ({exc.strerror or exc})") from None
    return _cached(str(path), st.st_size, st.st_mtime_ns)


def stamp_of(csv_path: str | os.PathLike[str] | None) -> str | None:
    """Size and modification time of the CSV, for the batch's configuration fingerprint:
    a new snapshot redoes every manuscript, an unchanged one none."""
    if not csv_path:
        return None
    try:
        st = Path(csv_path).stat()
    except OSError:
        return None
    return f"{st.st_size}-{st.st_mtime_ns}"


def strongest(notices: Iterable[Notice]) -> tuple[str, Notice, list[Notice]] | None:
    """What the notices about one paper amount to: ``(kind, the notice to name, all)``.

    ``kind`` is ``retraction`` unless a reinstatement dated after the last retraction
    reverses it (then ``reinstatement``); else ``expression of concern``; else
    ``correction``; else the nature of the newest notice as written.
    """
    ordered = sorted(notices, key=lambda n: (n.date or "", n.record_id))
    if not ordered:
        return None
    retractions = [n for n in ordered if n.kind == RETRACTION]
    if retractions:
        last = retractions[-1]
        reinstated = [n for n in ordered if n.kind == REINSTATEMENT and (n.date or "") > (last.date or "")]
        return (REINSTATEMENT, reinstated[-1], ordered) if reinstated else (RETRACTION, last, ordered)
    for kind in (CONCERN, CORRECTION):
        of_kind = [n for n in ordered if n.kind == kind]
        if of_kind:
            return kind, of_kind[-1], ordered
    return ordered[-1].kind, ordered[-1], ordered
