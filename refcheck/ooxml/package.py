"""OOXML (DOCX) packages: opened safely for reading, copied byte for byte for writing.

Reading
-------

Manuscripts come from strangers, so everything here assumes the file may be
hostile: a ZIP bomb, an entity-expansion ("billion laughs") part, an external
entity (XXE) pointing at a local file or URL, absurd nesting, or plain garbage.
The rules are:

* sizes are checked from the ZIP directory *before* anything is inflated, and
  again while inflating (a lying directory cannot make us read more);
* XML is parsed with entity resolution, DTD loading and network access off, and a
  part that declares entities or an external DTD is refused outright;
* the file is read once, no larger than ``max_unzipped_mb``, and the bytes kept
  (``Package.data``) for the writers; entry names that climb out of the package
  (``..``), name a drive or hold control characters, duplicate names (case-folded,
  as OPC compares them) and encrypted entries are refused from the directory;
* nothing outside the package is ever opened or fetched.

Every problem surfaces as :class:`refcheck.model.InputError` with a one-line
message naming the file (and the part, where one is involved).  Strict OOXML
(``purl.oclc.org`` namespaces) is rewritten to the transitional namespaces so the
reader only needs to know one vocabulary.

Writing
-------

:class:`PackageCopy` is the writers' side (Word comments, renumbering).  Why it
works on the ZIP entries rather than python-docx: python-docx re-serialises every
part it models, drops parts no relationship reaches and refuses ``.docm``/``.dotx``
content types, while the writers promise that *nothing else changes* — every entry
they do not edit is written back byte for byte, in its original order, with its
original compression.  The copy is made from the bytes the reader read and checked
(``Manuscript.raw``), never from the file opened again, and every entry is inflated
and checked before anything is written.
"""

from __future__ import annotations

import copy
import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from refcheck.model import InputError
from refcheck.ooxml.namespaces import PKG_REL_NS

#: The mark of Strict OOXML namespaces, which the writers refuse to edit (they
#: would have to write them back in the Strict vocabulary).
STRICT_MARK = b"purl.oclc.org/ooxml/"

_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CHUNK = 64 * 1024
# Tiny parts (a few KB of repeated XML) legitimately compress beyond any sane ratio;
# a bomb needs volume, so the ratio limit only bites above this inflated size.
_RATIO_FLOOR = 1 * _MB

# Strict OOXML uses purl.oclc.org namespaces and relationship types; each maps to
# the transitional URI with "/2006/" inserted after the vocabulary name.
_STRICT_NS = re.compile(
    rb"http://purl\.oclc\.org/ooxml/"
    rb"(wordprocessingml|drawingml|officeDocument|presentationml|spreadsheetml)/"
)

# Errors the zipfile/zlib stack raises on corrupt or unsupported archives.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


class HostileInputError(InputError):
    """An input refused because it tries to exhaust or escape the reader.

    Kept distinct from a merely malformed part: the reader tolerates a broken
    *optional* part (styles, numbering) but never a hostile one.
    """


@dataclass(frozen=True)
class PackageLimits:
    """Ceilings applied before and during inflation of a DOCX package."""

    max_unzipped_bytes: int = 256 * _MB
    max_compression_ratio: float = 200.0
    max_entries: int = 10_000

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> PackageLimits:
        """Build limits from the ``max_unzipped_mb``, ``max_compression_ratio`` and
        ``max_zip_entries`` keys of ``[tool.refcheck.limits]`` (the ``limits`` table of
        the config dict, where every reader finds its limits), keeping the defaults
        for missing ones."""
        config = (config or {}).get("limits") or {}
        default = cls()
        mb = config.get("max_unzipped_mb")
        ratio = config.get("max_compression_ratio")
        entries = config.get("max_zip_entries")
        return cls(
            max_unzipped_bytes=int(float(mb) * _MB) if mb is not None else default.max_unzipped_bytes,
            max_compression_ratio=float(ratio) if ratio is not None else default.max_compression_ratio,
            max_entries=int(entries) if entries is not None else default.max_entries,
        )


def _normalise(name: str) -> str:
    """OPC part names are case-insensitive; some writers add '/' or use '\\'."""
    return name.replace("\\", "/").lstrip("/").lower()


class Package:
    """An opened, pre-checked OOXML package; parts are read on demand, bounded.

    Use as a context manager (or call :meth:`close`).  ``main_part`` is the name
    of the main document part, found through ``_rels/.rels`` when present.
    """

    def __init__(self, path: str, zf: zipfile.ZipFile, limits: PackageLimits):
        self.path = path
        self.limits = limits
        self._zf = zf
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            if not info.is_dir():
                self._infos[_normalise(info.filename)] = info
        self._inflated = 0
        #: The package file's bytes as read (set by :func:`open_package`).
        self.data: bytes = b""
        self.main_part = self._find_main_part()

    # -- context management -------------------------------------------------
    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying ZIP file."""
        self._zf.close()

    # -- parts ----------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Original entry names (as stored in the ZIP), directories excluded."""
        return [info.filename for info in self._infos.values()]

    def has(self, name: str) -> bool:
        """Whether the part exists (OPC names compare case-insensitively)."""
        return _normalise(name) in self._infos

    def read(self, name: str) -> bytes:
        """Inflate one part in chunks, stopping as soon as it outgrows its
        declared size or the package budget (a lying ZIP directory)."""
        info = self._infos.get(_normalise(name))
        if info is None:
            raise InputError(self.path, f"part {name} is missing")
        data = _inflate(self._zf, info, self.path, self.limits.max_unzipped_bytes - self._inflated)
        self._inflated += len(data)
        return data

    def get(self, name: str) -> bytes | None:
        """Like :meth:`read` but None for a missing part."""
        return self.read(name) if self.has(name) else None

    def xml(self, name: str) -> etree._Element:
        """Read and safely parse a part (strict namespaces mapped to transitional)."""
        return parse_xml(self.read(name), name, path=self.path)

    # -- relationships ---------------------------------------------------------
    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``{rId: (type, target part name)}`` of a part's internal relationships.

        Missing or malformed .rels files give an empty map: relationships are an
        index, and a document without them is still readable.
        """
        rels = rels_name(part)
        if not self.has(rels):
            return {}
        try:
            root = self.xml(rels)
        except HostileInputError:
            raise
        except InputError:
            return {}
        result: dict[str, tuple[str, str]] = {}
        for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            if not target:
                continue
            result[rel.get("Id") or ""] = (rel.get("Type") or "", resolve_target(part, target))
        return result

    def related_part(self, part: str, rel_type_suffix: str) -> str | None:
        """The first existing part related to ``part`` whose type ends in the suffix."""
        for rel_type, target in self.relationships(part).values():
            if rel_type.endswith("/" + rel_type_suffix) and self.has(target):
                return target
        return None

    def _find_main_part(self) -> str:
        """Follow the package officeDocument relationship; fall back to the usual name."""
        candidate = self.related_part("", "officeDocument")
        if candidate:
            return candidate
        if self.has("word/document.xml"):
            return "word/document.xml"
        raise InputError(self.path, "is a ZIP file but has no word/document.xml (not a Word document)")

    def iter_infos(self) -> Iterator[zipfile.ZipInfo]:
        """The ZIP directory entries of the parts (directories excluded)."""
        return iter(self._infos.values())


def rels_name(part: str) -> str:
    """The relationships part of ``part`` (``word/_rels/document.xml.rels``).

    Why public: the reader follows relationships and the writers add or read them;
    both must find the same ``.rels`` part (``""`` names the package's own)."""
    directory, base = posixpath.split(part)
    return posixpath.join(directory, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship's ``Target`` as a part name: absolute (``/word/x.xml``) or
    relative to the directory of ``source_part``.

    Why public: reader and writers must resolve a relationship to the same part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, budget: int) -> bytes:
    """One entry inflated in chunks, refused as soon as it outgrows its declared size
    or ``budget`` (what is left of ``max_unzipped_mb``): a lying directory cannot make
    us inflate more.  Every zipfile/zlib failure (a corrupt stream, a bad CRC, an
    unsupported method) is the one-line :class:`InputError`."""
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > info.file_size or size > budget:
                    raise HostileInputError(
                        path,
                        f"part {info.filename} inflates beyond its declared size or the "
                        "max_unzipped_mb limit (ZIP bomb?)",
                    )
                chunks.append(chunk)
    except InputError:
        raise
    except _ZIP_ERRORS as exc:
        raise InputError(path, f"corrupt ZIP entry {info.filename} ({_short(exc)})") from None
    return b"".join(chunks)


_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_name(name: str) -> str | None:
    """Why a ZIP entry or part name is unsafe to read or write, or None when it is safe.

    Why refused rather than cleaned: a ``..`` segment, a drive letter or a control
    character is in no package Word or any converter writes; it is there to make an
    unzipper (or our copy, or a tool that unpacks it later) write outside its folder,
    or to disguise a part.  A leading ``/`` or ``\\`` alone is tolerated and
    normalised (:func:`_normalise`): some writers produce it, and OPC part names are
    absolute anyway.
    """
    if _UNSAFE_CHARS.search(name):
        return "holds a control character"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "climbs out of the package ('..')"
    if re.match(r"^[A-Za-z]:", name) or name.replace("\\", "/").startswith("//"):
        return "is an absolute path"
    return None


def _check_names(path: str, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse unsafe, duplicate and encrypted entries from the ZIP directory alone.

    Why here, for reading too: two entries with one (case-folded) name mean that which
    copy is read — by refcheck, Word or the next tool — is arbitrary, so what was
    checked need not be what an editor sees; an encrypted entry cannot be read or
    copied, and failing on it only when a writer copies it would be an internal error.
    """
    seen: set[str] = set()
    for info in infos:
        why = unsafe_name(info.filename)
        if why:
            raise HostileInputError(path, f"ZIP entry name {info.filename!r} {why}; refused")
        if info.flag_bits & 0x1:
            raise InputError(path, f"ZIP entry {info.filename} is encrypted; refcheck cannot read or copy it")
        if info.is_dir():
            continue
        key = _normalise(info.filename)
        if key in seen:
            raise HostileInputError(
                path, f"has two ZIP entries named {info.filename} (which one a reader takes is arbitrary); refused"
            )
        seen.add(key)


def _check_directory(path: str, infos: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    """Refuse bombs from the ZIP directory alone, before inflating a byte."""
    if len(infos) > limits.max_entries:
        raise HostileInputError(
            path, f"has {len(infos)} ZIP entries, more than the limit of {limits.max_entries}"
        )
    _check_names(path, infos)
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_unzipped_bytes:
            raise HostileInputError(
                path,
                f"would unzip to more than {limits.max_unzipped_bytes // _MB} MB "
                "(limit max_unzipped_mb; ZIP bomb?)",
            )
        if info.file_size > _RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise HostileInputError(
                    path,
                    f"ZIP entry {info.filename} is compressed {ratio:.0f}:1, beyond the limit "
                    f"of {limits.max_compression_ratio:.0f}:1 (max_compression_ratio; ZIP bomb?)",
                )


def read_capped(fh: BinaryIO, cap: int) -> bytes:
    """At most ``cap`` bytes of ``fh``, in chunks.

    Why chunks: one ``read(cap)`` allocates ``cap`` bytes up front, so a limit
    raised to 100 GB would fail with MemoryError on the smallest file."""
    parts: list[bytes] = []
    size = 0
    while size < cap:
        chunk = fh.read(min(_MB, cap - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def read_package_bytes(path: str | Path, limits: PackageLimits | None = None) -> bytes:
    """The file's bytes, read once and bounded by ``max_unzipped_mb``.

    Why once: the reader checks these bytes and the writers (annotate, fix) copy
    these same bytes, so a file swapped or grown between the two cannot slip past
    the limits.  Why that bound: a package larger than everything it may unzip to
    carries nothing a manuscript needs.  A file that does not start like a ZIP is
    judged from its first bytes alone (:func:`_open_zip` names what it is).
    """
    path_str = str(path)
    limits = limits or PackageLimits()
    cap = limits.max_unzipped_bytes
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if not head.startswith(_ZIP_MAGICS):
                return head
            too_big = os.fstat(fh.fileno()).st_size > cap
            data = b"" if too_big else head + read_capped(fh, cap + 1 - len(head))
    except FileNotFoundError:
        raise InputError(path_str, "no such file") from None
    except IsADirectoryError:
        raise InputError(path_str, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path_str, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(path_str, f"cannot be read ({_short(exc)})") from None
    if too_big or len(data) > cap:  # the read stops at the cap: a growing file is refused too
        raise HostileInputError(path_str, f"is larger than the {cap // _MB} MB limit (max_unzipped_mb)")
    return data


def _open_zip(path_str: str, data: bytes, limits: PackageLimits) -> zipfile.ZipFile:
    """The package's bytes as a checked ZIP: the magic, then the directory's names and sizes."""
    head = data[:8]
    if not head:
        raise InputError(path_str, "empty file")
    if head.startswith(_OLE_MAGIC[:4]):
        raise InputError(
            path_str,
            "is an encrypted (password-protected) Office file or a legacy binary .doc; "
            "save it as .docx",
        )
    if not head.startswith(_ZIP_MAGICS):
        raise InputError(path_str, "is not a DOCX (ZIP) file")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise InputError(path_str, f"is a corrupt or truncated ZIP file ({_short(exc)})") from None
    try:
        _check_directory(path_str, zf.infolist(), limits)
    except BaseException:
        zf.close()
        raise
    return zf


def open_package(path: str | Path, limits: PackageLimits | None = None, data: bytes | None = None) -> Package:
    """Open a DOCX package after checking it is a sane, non-hostile ZIP.

    ``data`` is the file's bytes when the caller has them; otherwise the file is
    read once (:func:`read_package_bytes`) and the bytes kept as ``Package.data``.
    Raises :class:`InputError` for an empty file, an OLE container (encrypted
    DOCX or legacy .doc), a non-ZIP, a corrupt ZIP, a ZIP without a Word main
    part, unsafe, duplicate or encrypted entries, or a directory that announces a bomb.
    """
    path_str = str(path)
    limits = limits or PackageLimits()
    if data is None:
        data = read_package_bytes(path, limits)
    zf = _open_zip(path_str, data, limits)
    try:
        pkg = Package(path_str, zf, limits)
    except BaseException:
        zf.close()
        raise
    pkg.data = data
    return pkg


# ---------------------------------------------------------------------------
# XML


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


_STRICT_PARSER = _parser(recover=False)
_RECOVER_PARSER = _parser(recover=True)


def map_strict_namespaces(data: bytes) -> bytes:
    """Rewrite Strict OOXML namespace URIs to their transitional equivalents."""
    if STRICT_MARK not in data:
        return data
    return _STRICT_NS.sub(rb"http://schemas.openxmlformats.org/\1/2006/", data)


def _refuse_dtd(tree: etree._ElementTree, part_name: str, path: str) -> None:
    """A DOCX part never needs a DTD; entity declarations or an external DTD
    are the signature of entity bombs and XXE probes."""
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    has_entities = dtd is not None and any(True for _ in dtd.iterentities())
    if has_entities or docinfo.system_url or docinfo.public_id:
        raise HostileInputError(
            path, f"part {part_name} declares XML entities or an external DTD; refused (XXE / entity bomb)"
        )


def _has_doctype(data: bytes) -> bool:
    head = data[:4096]
    return b"<!DOCTYPE" in head or b"<\x00!\x00D\x00O\x00C\x00" in head


def parse_xml(data: bytes, part_name: str, path: str = "", recover: bool = False) -> etree._Element:
    """Parse one part safely; never resolves entities, loads DTDs or touches the network.

    ``recover=True`` salvages what libxml2 can from a malformed part (used for
    parts Word itself would repair); hostile parts are refused either way.
    """
    data = map_strict_namespaces(data)
    where = path or part_name
    parser = _RECOVER_PARSER if recover else _STRICT_PARSER
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        message = _short(exc)
        if _has_doctype(data) and ("entity" in message.lower() or "dtd" in message.lower()):
            raise HostileInputError(
                where, f"part {part_name} declares XML entities; refused (XXE / entity bomb)"
            ) from None
        if "depth" in message.lower() or "nested" in message.lower():
            raise HostileInputError(where, f"part {part_name} is nested too deeply ({message})") from None
        raise InputError(where, f"part {part_name} is not well-formed XML ({message})") from None
    except (ValueError, MemoryError) as exc:
        raise InputError(where, f"part {part_name} cannot be parsed ({_short(exc)})") from None
    if root is None:
        raise InputError(where, f"part {part_name} is empty or not XML")
    _refuse_dtd(root.getroottree(), part_name, where)
    if any(True for _ in root.iter(etree.Entity)):
        raise HostileInputError(where, f"part {part_name} uses XML entities; refused")
    return root


# ---------------------------------------------------------------------------
# Writing: the byte-for-byte copy

#: The parser for parts a writer edits and writes back: entities and DTDs stay off
#: as when reading, and whitespace is kept so untouched text is written as it was.
EDIT_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


def parse_part(data: bytes, name: str, path: Path | str, action: str = "annotate") -> etree._Element:
    """Parse a part a writer is going to edit (no Strict mapping, no recovery).

    Why not :func:`parse_xml`: a writer must write the part back in its own
    vocabulary and refuses what it cannot rewrite faithfully, with a
    "cannot annotate" (or ``action``) message naming the part.  Any DTD is refused,
    not only one with entities: the writer serialises the element tree, which drops
    the DOCTYPE, so a part using an entity it declared would be written not
    well-formed — and no part Word writes has a DTD."""
    try:
        root = etree.fromstring(data, EDIT_PARSER)
    except etree.XMLSyntaxError as exc:
        if _has_doctype(data):
            raise HostileInputError(str(path), f"part {name} declares a DTD; refused (XXE / entity bomb)") from None
        raise InputError(str(path), f"cannot {action}: part {name} is not well-formed XML ({_short(exc)})") from None
    except (ValueError, MemoryError) as exc:
        raise InputError(str(path), f"cannot {action}: part {name} cannot be parsed ({_short(exc)})") from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype or any(True for _ in root.iter(etree.Entity)):
        raise HostileInputError(str(path), f"part {name} declares a DTD; refused (XXE / entity bomb)")
    return root


def serialise(root: etree._Element, original: bytes) -> bytes:
    """An edited part as bytes, with an XML declaration like the original's.

    Why: Word writes ``standalone="yes"``; keeping the declaration as it was is
    part of changing nothing but the edit."""
    standalone = True if b'standalone="yes"' in original[:200] else None
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=standalone)


_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DOCTYPES = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _refuse_doctype(data: bytes, name: str, path: str) -> None:
    """Refuse an XML part that holds a DTD, whether or not a writer will parse it.

    Why every part: a writer copies the parts it does not edit byte for byte, so a
    DTD there would reach the annotated copy — an entity bomb or an XXE probe under
    refcheck's name.  Word never writes a DTD, so none is lost."""
    if name.lower().endswith(_XML_SUFFIXES) and any(mark in data for mark in _DOCTYPES):
        raise HostileInputError(path, f"part {name} declares a DTD; refused (XXE / entity bomb)")


def _written_name(name: str) -> str:
    """The name an entry is written under: ``\\`` as ``/`` and no leading ``/``.

    Why: a tolerated absolute name (``/word/document.xml``) read fine, but written
    back as it was it would tell an unzipper to write at the root of the disk."""
    clean = name.replace("\\", "/").lstrip("/")
    return clean or name


class PackageCopy:
    """The input package's entries, kept in order, with replacement bytes for edited parts.

    Why: the writers' promise that nothing else changes — :meth:`write` copies
    every entry that was not :meth:`put` byte for byte with its original ZIP
    header and compression, and appends new parts at the end.  The copy is made
    from ``data``, the bytes the reader checked (read again, bounded, only when a
    caller has none), and every entry is inflated and checked here, before anything
    is written: a corrupt, encrypted, duplicate or unsafely named entry the reader
    never needed is the one-line :class:`InputError`, never an internal error."""

    def __init__(self, path: Path, data: bytes | None = None, limits: PackageLimits | None = None,
                 action: str = "annotate"):
        self.path = path
        self.action = action
        limits = limits or PackageLimits()
        if data is None:
            data = read_package_bytes(path, limits)
        zf = _open_zip(str(path), data, limits)
        try:
            self.infos = list(zf.infolist())
            self.data: dict[str, bytes] = {}
            budget = limits.max_unzipped_bytes
            for info in self.infos:
                entry = b"" if info.is_dir() else _inflate(zf, info, str(path), budget)
                budget -= len(entry)
                _refuse_doctype(entry, info.filename, str(path))
                self.data[info.filename] = entry
        finally:
            zf.close()
        self.by_norm = {_normalise(i.filename): i.filename for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}

    def get(self, name: str) -> bytes | None:
        """A part's bytes (as found, case-insensitively, or as added); None when missing."""
        real = self.by_norm.get(_normalise(name))
        return self.data[real] if real else self.added.get(_written_name(name))

    def put(self, name: str, data: bytes) -> None:
        """Replace an existing part's bytes, or add a new part (under a safe name only:
        a relationship cannot make a writer add a part outside the package)."""
        real = self.by_norm.get(_normalise(name))
        if real:
            self.changed[real] = data
            return
        why = unsafe_name(name)
        if why:
            raise HostileInputError(str(self.path), f"cannot {self.action}: new part name {name!r} {why}")
        self.added[_written_name(name)] = data

    def write(self, out: Path) -> None:
        """Write the copy to ``out``: the original entries in order, then the added ones."""
        with zipfile.ZipFile(out, "w") as zf:
            for info in self.infos:
                data = self.changed.get(info.filename, self.data[info.filename])
                new = copy.copy(info)
                new.filename = _written_name(info.filename)
                zf.writestr(new, data, compress_type=info.compress_type)
            for name, data in self.added.items():
                zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)

    def main_part(self) -> str:
        """The main document part, by the package's officeDocument relationship
        (``word/document.xml`` when there is none)."""
        rels = self.get("_rels/.rels")
        if rels:
            for rel in parse_part(rels, "_rels/.rels", self.path, self.action).iter(f"{{{PKG_REL_NS}}}Relationship"):
                if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    name = resolve_target("", rel.get("Target") or "")
                    if self.get(name) is not None:
                        return name
        return "word/document.xml"
