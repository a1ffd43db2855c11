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
original compression.  The package has already been read (and so checked) by the
reader before a writer copies it.
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    self._inflated += len(chunk)
                    if size > info.file_size or self._inflated > self.limits.max_unzipped_bytes:
                        raise HostileInputError(
                            self.path,
                            f"part {name} inflates beyond its declared size or the "
                            f"{self.limits.max_unzipped_bytes // _MB} MB limit (ZIP bomb?)",
                        )
                    chunks.append(chunk)
        except InputError:
            raise
        except _ZIP_ERRORS as exc:
            raise InputError(self.path, f"corrupt ZIP entry {name} ({_short(exc)})") from None
        return b"".join(chunks)

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


def _check_directory(path: str, infos: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    """Refuse bombs from the ZIP directory alone, before inflating a byte."""
    if len(infos) > limits.max_entries:
        raise HostileInputError(
            path, f"has {len(infos)} ZIP entries, more than the limit of {limits.max_entries}"
        )
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


def open_package(path: str | Path, limits: PackageLimits | None = None) -> Package:
    """Open a DOCX package after checking it is a sane, non-hostile ZIP.

    Raises :class:`InputError` for an empty file, an OLE container (encrypted
    DOCX or legacy .doc), a non-ZIP, a corrupt ZIP, a ZIP without a Word main
    part, or one whose directory announces a bomb.
    """
    path_str = str(path)
    limits = limits or PackageLimits()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise InputError(path_str, "no such file") from None
    except IsADirectoryError:
        raise InputError(path_str, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path_str, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(path_str, f"cannot be read ({_short(exc)})") from None
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
        zf = zipfile.ZipFile(path_str)
    except _ZIP_ERRORS as exc:
        raise InputError(path_str, f"is a corrupt or truncated ZIP file ({_short(exc)})") from None
    try:
        infos = zf.infolist()
        _check_directory(path_str, infos, limits)
        return Package(path_str, zf, limits)
    except BaseException:
        zf.close()
        raise


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


def parse_part(data: bytes, name: str, path: Path) -> etree._Element:
    """Parse a part a writer is going to edit (no Strict mapping, no recovery).

    Why not :func:`parse_xml`: a writer must write the part back in its own
    vocabulary and refuses what it cannot rewrite faithfully, with a
    "cannot annotate" message naming the part."""
    try:
        return etree.fromstring(data, EDIT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(str(path), f"cannot annotate: part {name} is not well-formed XML ({exc})") from None


def serialise(root: etree._Element, original: bytes) -> bytes:
    """An edited part as bytes, with an XML declaration like the original's.

    Why: Word writes ``standalone="yes"``; keeping the declaration as it was is
    part of changing nothing but the edit."""
    standalone = True if b'standalone="yes"' in original[:200] else None
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=standalone)


class PackageCopy:
    """The input package's entries, kept in order, with replacement bytes for edited parts.

    Why: the writers' promise that nothing else changes — :meth:`write` copies
    every entry that was not :meth:`put` byte for byte with its original ZIP
    header and compression, and appends new parts at the end."""

    def __init__(self, path: Path):
        self.path = path
        try:
            with zipfile.ZipFile(path) as zf:
                self.infos = list(zf.infolist())
                self.data = {i.filename: b"" if i.is_dir() else zf.read(i) for i in self.infos}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise InputError(str(path), f"cannot annotate: corrupt ZIP package ({exc})") from None
        self.by_norm = {_normalise(i.filename): i.filename for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}

    def get(self, name: str) -> bytes | None:
        """A part's bytes (as found, case-insensitively, or as added); None when missing."""
        real = self.by_norm.get(_normalise(name))
        return self.data[real] if real else self.added.get(name)

    def put(self, name: str, data: bytes) -> None:
        """Replace an existing part's bytes, or add a new part."""
        real = self.by_norm.get(_normalise(name))
        if real:
            self.changed[real] = data
        else:
            self.added[name] = data

    def write(self, out: Path) -> None:
        """Write the copy to ``out``: the original entries in order, then the added ones."""
        with zipfile.ZipFile(out, "w") as zf:
            for info in self.infos:
                data = self.changed.get(info.filename, self.data[info.filename])
                new = copy.copy(info)
                zf.writestr(new, data, compress_type=info.compress_type)
            for name, data in self.added.items():
                zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)

    def main_part(self) -> str:
        """The main document part, by the package's officeDocument relationship
        (``word/document.xml`` when there is none)."""
        rels = self.get("_rels/.rels")
        if rels:
            for rel in parse_part(rels, "_rels/.rels", self.path).iter(f"{{{PKG_REL_NS}}}Relationship"):
                if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    name = resolve_target("", rel.get("Target") or "")
                    if self.get(name) is not None:
                        return name
        return "word/document.xml"
