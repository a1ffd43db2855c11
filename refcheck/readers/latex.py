"""LaTeX manuscripts: the prose a reader of the PDF sees, mapped back to the ``.tex`` lines.

Authors who keep a manuscript in git mostly write LaTeX with BibTeX or BibLaTeX, and
arXiv is LaTeX; a linter that refuses ``.tex`` never meets them.  This reader does
what a careful detex does, and no more: it does not run TeX.

- ``\\input``, ``\\include``, ``\\subfile`` and ``\\import`` are followed relative to
  the main file, only inside the manuscript's folder tree, only to regular files
  under the manuscript size limit (a manuscript is untrusted input; ``\\input{/etc/
  passwd}`` or ``../../secret`` must read nothing).  Figure code (``.pgf``, ``.tikz``)
  is not prose and is not read.
- Comments, ``\\verb``, ``verbatim``/``lstlisting``/``minted``, maths (inline and
  display), ``\\iffalse … \\fi`` and ``comment`` environments are not prose.
- ``\\newcommand``/``\\def`` macros are expanded when their body is plain (no TeX
  programming), so ``\\hUC`` reads as the words it stands for.
- Sectioning, ``abstract``, ``\\title``/``\\author``/``\\affiliation``/``\\thanks``
  (front matter), captions (as "Figure N." / "Table N." legends, so the citation
  order rules know where a float sits), table cells and footnotes become blocks of
  their kind.
- Citations (``\\cite``, natbib, biblatex, starred forms, notes, several keys) become
  pandoc-style ``[@key]`` text, so the machinery that checks Markdown citation keys
  against a bibliography (and numbers references in order of first citation, as a
  numeric BibTeX style does) checks them; ``\\bibliography``/``\\addbibresource`` are
  read with the same bibliography reader as Markdown.  An inline ``thebibliography``
  *is* the reference list: its order is the numbering, so citations read as
  ``[n]`` and the numbering rules (RC101, RC103) apply; a key it lacks stays a key
  and RC102 names it.

Every character keeps its origin: a :class:`~refcheck.model.Segment` locator holds
the file (main or included) and the line, see :func:`encode_locator`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from refcheck.limits import DEFAULT_MAX_TEXT_MB
from refcheck.locations import encode_locator
from refcheck.model import Block, BlockKind, InputError, Manuscript, Segment, SourceMap
from refcheck.plugins import hookimpl
from refcheck.readers.bibliography import Bibliography, inside_folder, read_bibliography
from refcheck.readers.text import decode_text, read_bounded

LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex"})
#: Suffixes an ``\\input`` may name and still be prose (a ``.bbl`` is a thebibliography).
_PROSE_SUFFIXES = frozenset({".tex", ".ltx", ".latex", ".bbl", ""})
MAX_INCLUDE_DEPTH = 16
MAX_FILES = 256
MAX_EXPANSION_DEPTH = 24
MAX_EXPANDED_CHARS = 1_000_000  # macro bombs: \def\a{\b\b}\def\b{\c\c}…
MAX_EXPANSIONS = 20_000  # the corpus manuscripts use at most 222
MAX_NESTING = 100  # braces/environments nested deeper than this are not prose anyone wrote


# ------------------------------------------------------------------ sources

# What hides a "%" from being a comment: an escaped character, \verb|…|, a URL.
_MASK_TOKENS = re.compile(
    r"\\verb\*?([^A-Za-z\s*])[^\n]*?\1|\\(?:url|nolinkurl|href)\s*\{[^{}\n]*\}"
    r"|\\lstinline\s*(?:\[[^\]\n]*\])?([^A-Za-z\s{\[])[^\n]*?\2|\\.|%",
    re.S,
)
_COMMENT = "\x00"  # decode_text refuses NUL bytes, so no input holds one


def _mask_comments(text: str) -> str:
    """``text`` with each comment (``%`` to the end of its line, newline included)
    replaced by NULs of the same length: every offset still points at its character."""
    out: list[str] = []
    pos = 0
    i = 0
    n = len(text)
    while True:
        m = _MASK_TOKENS.search(text, i)
        if not m:
            break
        if m.group() != "%":
            i = m.end()
            continue
        end = text.find("\n", m.start())
        end = n if end < 0 else end + 1
        out.append(text[pos:m.start()])
        out.append(_COMMENT * (end - m.start()))
        pos = i = end
    out.append(text[pos:])
    return "".join(out)


@dataclass
class _Source:
    """One file (or one macro expansion, ``virtual``) the parser reads."""

    name: str
    text: str
    masked: str
    virtual: bool = False
    line_starts: list[int] = field(default_factory=list)

    def line_col(self, offset: int) -> tuple[int, int]:
        k = bisect_right(self.line_starts, offset) - 1
        return k + 1, offset - self.line_starts[k]


def _source(name: str, text: str, virtual: bool = False) -> _Source:
    starts = [0] + [m.end() for m in re.finditer("\n", text)] if not virtual else [0]
    return _Source(name, text, _mask_comments(text) if not virtual else text, virtual, starts)


# ------------------------------------------------------------------ emitted items


@dataclass
class _Piece:
    text: str
    file: int | None  # None: inserted by the reader (a joining space, "Figure 2. ")
    offset: int
    safe: bool = False  # a margin note may be inserted right before it (outer paragraph text)


@dataclass
class _Cite:
    keys: tuple[str, ...]
    file: int | None
    offset: int
    safe: bool = False


@dataclass
class _Ref:
    label: str
    form: str  # "ref" | "auto" | "Auto" | "eq" | "page"
    file: int | None
    offset: int


@dataclass
class _Blk:
    kind: BlockKind
    level: int
    items: list[Any]
    key: str | None = None  # a thebibliography entry's key


class _Ctx:
    """A block being built; nested ones (a footnote inside a paragraph) finish later."""

    def __init__(self, kind: BlockKind, level: int = 0, discard: bool = False) -> None:
        self.kind = kind
        self.level = level
        self.discard = discard
        self.items: list[Any] = []
        self.deferred: list[_Blk] = []
        self.space = False  # last emitted character was a space
        self.key: str | None = None

    def has_text(self) -> bool:
        return any(not isinstance(it, _Piece) or it.text.strip() for it in self.items)


class _Emitter:
    """Collects blocks in reading order: a footnote, caption or table cell met inside
    a paragraph is delivered after that paragraph, as a reader meets it."""

    def __init__(self) -> None:
        self.out: list[_Blk] = []
        self.stack: list[_Ctx] = [_Ctx(BlockKind.PARAGRAPH)]

    @property
    def top(self) -> _Ctx:
        return self.stack[-1]

    def text(self, s: str, file: int | None, offset: int, safe: bool) -> None:
        if s:
            self.top.items.append(_Piece(s, file, offset, safe))
            self.top.space = False

    def space(self, file: int | None, offset: int) -> None:
        ctx = self.top
        if ctx.items and not ctx.space:
            ctx.items.append(_Piece(" ", file, offset))
            ctx.space = True

    def item(self, item: Any) -> None:
        self.top.items.append(item)
        self.top.space = False

    def _deliver(self, blk: _Blk, level: int) -> None:
        while level > 0 and not self.stack[level - 1].has_text():
            level -= 1
        if level == 0:
            self.out.append(blk)
        else:
            self.stack[level - 1].deferred.append(blk)

    def _finish(self, level: int) -> None:
        ctx = self.stack[level]
        if ctx.has_text() and not ctx.discard:
            self._deliver(_Blk(ctx.kind, ctx.level, ctx.items, ctx.key), level)
        ctx.items, ctx.space = [], False
        deferred, ctx.deferred = ctx.deferred, []
        for blk in deferred:
            self._deliver(blk, level)

    def par(self) -> None:
        self._finish(len(self.stack) - 1)

    def push(self, kind: BlockKind, level: int = 0, discard: bool = False) -> _Ctx:
        ctx = _Ctx(kind, level, discard)
        self.stack.append(ctx)
        return ctx

    def pop(self) -> None:
        self._finish(len(self.stack) - 1)
        self.stack.pop()


# ------------------------------------------------------------------ command tables

_SECTIONS = {"part": 1, "chapter": 1, "section": 1, "subsection": 2, "subsubsection": 3,
             "paragraph": 4, "subparagraph": 5}
_CITE = frozenset(["cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear", "citeyearpar", "citenum", "Citep", "Citet", "Citealp", "Citealt", "Citeauthor", "citefullauthor", "parencite", "Parencite", "textcite", "Textcite", "autocite", "Autocite", "footcite", "footcitetext", "supercite", "smartcite", "Smartcite", "fullcite", "footfullcite", "citetitle", "citeA", "citeNP", "citeyearNP", "shortcite", "shortciteNP", "onlinecite", "citeasnoun", "possessivecite"])
_MULTICITE = frozenset(["cites", "Cites", "parencites", "Parencites", "textcites", "Textcites", "autocites", "Autocites", "footcites", "footcitetexts", "smartcites", "Smartcites", "supercites"])
_INPUTS = frozenset({"input", "include", "subfile", "InputIfFileExists"})
_IMPORTS = frozenset({"import", "subimport", "inputfrom", "includefrom", "subinputfrom", "subincludefrom"})
_FRONT = {"title": BlockKind.TITLE, "author": BlockKind.FRONT_MATTER, "affiliation": BlockKind.FRONT_MATTER,
          "affil": BlockKind.FRONT_MATTER, "address": BlockKind.FRONT_MATTER, "institute": BlockKind.FRONT_MATTER,
          "institution": BlockKind.FRONT_MATTER, "thanks": BlockKind.FRONT_MATTER,
          "tnotetext": BlockKind.FRONT_MATTER, "fntext": BlockKind.FRONT_MATTER, "cortext": BlockKind.FRONT_MATTER,
          "authorcontributions": BlockKind.FRONT_MATTER, "authordeclaration": BlockKind.FRONT_MATTER,
          "equalauthors": BlockKind.FRONT_MATTER, "correspondingauthor": BlockKind.FRONT_MATTER,
          "abstract": BlockKind.ABSTRACT, "significancestatement": BlockKind.ABSTRACT,
          "keywords": BlockKind.KEYWORDS}
# Commands whose argument is shown as text (their formatting does not matter here).
_TEXT_ARG = frozenset(["emph", "textbf", "textit", "textsl", "textsc", "texttt", "textrm", "textsf", "textup", "textmd", "textnormal", "underline", "uline", "mbox", "fbox", "text", "enquote", "hl", "textsuperscript", "textsubscript", "mathrm", "boldsymbol", "emphasize", "ul", "st", "hbox", "centerline", "noindent"])
# Commands shown as their last argument: \textcolor{red}{text}, \multicolumn{2}{c}{text}.
_LAST_ARG = {"textcolor": 2, "colorbox": 2, "foreignlanguage": 2, "href": 2, "raisebox": 2, "parbox": 2,
             "scalebox": 2, "rotatebox": 2, "multicolumn": 3, "multirow": 3, "resizebox": 3, "hyperref": 1,
             "hyperlink": 2, "makebox": 1, "framebox": 1, "fcolorbox": 3, "texorpdfstring": 1}
# Commands dropped with this many mandatory arguments (optional ones are always skipped).
_DROP = {
    "label": 1, "includegraphics": 1, "vspace": 1, "hspace": 1, "setlength": 2, "addtolength": 2,
    "settowidth": 2, "setcounter": 2, "addtocounter": 2, "stepcounter": 1, "refstepcounter": 1, "color": 1,
    "definecolor": 3, "usepackage": 1, "RequirePackage": 1, "documentclass": 1, "bibliographystyle": 1,
    "pagestyle": 1, "thispagestyle": 1, "pagenumbering": 1, "graphicspath": 1, "hypersetup": 1,
    "newtheorem": 2, "captionsetup": 1, "setkeys": 2, "todo": 1, "marginpar": 1, "index": 1, "glossary": 1,
    "cline": 1, "cmidrule": 1, "phantom": 1, "hphantom": 1, "vphantom": 1, "pgfplotsset": 1,
    "usetikzlibrary": 1, "tikzset": 1, "loadglsentries": 1, "newacronym": 3, "newglossaryentry": 2,
    "acrodef": 2, "orcid": 1, "ead": 1, "journal": 1, "date": 1, "corr": 2, "setstretch": 1, "email": 1,
    "footnotemark": 0, "DeclareMathOperator": 2, "SetKwComment": 3, "SetCommentSty": 1, "SetKw": 2,
    "SetKwFunction": 2, "SetKwInOut": 2, "newlength": 1, "newcounter": 1, "providecolor": 3,
    "copyrightyear": 1, "pubyear": 1, "access": 1, "appnotes": 1, "firstpage": 1, "history": 1,
    "editor": 1, "received": 1, "accepted": 1, "published": 1, "doi": 1, "volume": 1, "issue": 1,
    "dates": 1, "leadauthor": 1, "shorttitle": 1, "runningtitle": 1, "runninghead": 1, "markboth": 2,
    "markright": 1, "lhead": 1, "rhead": 1, "chead": 1, "lfoot": 1, "rfoot": 1, "cfoot": 1, "fancyhead": 1,
    "fancyfoot": 1, "includeonly": 1, "addcontentsline": 3, "nocite": 1, "pdfbookmark": 2, "ensuremath": 1,
    "sout": 1, "xout": 1,  # struck out: a co-author's deletion, not the text
    "ce": 1, "SI": 2, "si": 1, "num": 1, "ang": 1, "tag": 1, "hyphenation": 1, "newif": 0, "fnref": 1,
    "tnoteref": 1, "corref": 1, "newcolumntype": 2, "IEEEpeerreviewmaketitle": 0, "IEEEmembership": 1, "vskip": 0, "hskip": 0,
}
_DIMENSION = re.compile(r"\s*-?[\d.]+\s*(?:pt|mm|cm|in|em|ex|bp|pc|sp|dd|cc|mu)(?:\s*plus\s*-?[\d.]+\s*\w\w)?"
                        r"(?:\s*minus\s*-?[\d.]+\s*\w\w)?|\s*\\[A-Za-z]+")
_SYMBOLS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX", "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "S": "§", "P": "¶", "copyright": "©",
    "textregistered": "®", "texttrademark": "™", "textdegree": "°", "degree": "°", "textmu": "µ",
    "textpm": "±", "texttimes": "×", "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dag": "†", "ddag": "‡",
    "textdagger": "†", "textdaggerdbl": "‡", "textbullet": "•", "pounds": "£", "euro": "€",
    "textasciitilde": "~", "textbackslash": "\\", "textless": "<", "textgreater": ">", "slash": "/",
    "textbar": "|", "textunderscore": "_", "textasciicircum": "^", "textperthousand": "‰", "textperiodcentered": "·",
    "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ", "newline": " ", "linebreak": " ",
    "space": " ", "hfill": " ", "and": " ", "AND": " ",
}
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_ESCAPED = {"%": "%", "&": "&", "#": "#", "$": "$", "_": "_", "{": "{", "}": "}", " ": " ", "\n": " ",
            "\t": " ", ",": " ", ";": " ", ":": " ", "!": "", "/": "", "-": "", "@": "", ">": " ", "<": ""}

_VERBATIM_ENVS = frozenset(["verbatim", "verbatim*", "Verbatim", "Verbatim*", "BVerbatim", "LVerbatim", "lstlisting", "minted", "comment", "filecontents", "filecontents*", "spverbatim", "alltt", "lstlisting*", "code"])
_MATH_ENVS = frozenset(["equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*", "eqnarray", "eqnarray*", "displaymath", "math", "flalign", "flalign*", "alignat", "alignat*", "dmath", "dmath*", "dgroup", "dgroup*", "IEEEeqnarray", "IEEEeqnarray*"])
_SKIP_ENVS = frozenset(["tikzpicture", "pgfpicture", "picture", "axis", "forest", "acronym", "tabbing", "titlepage", "algorithmic", "lstlisting"])
_FLOAT_ENVS = {"figure": "Figure", "figure*": "Figure", "table": "Table", "table*": "Table",
               "wrapfigure": "Figure", "wraptable": "Table", "sidewaysfigure": "Figure",
               "sidewaystable": "Table", "SCfigure": "Figure", "algorithm": "Algorithm",
               "algorithm*": "Algorithm", "listing": "Listing", "subfigure": None, "subtable": None}
_TABULAR_ENVS = {"tabular": 1, "tabular*": 2, "tabularx": 2, "tabulary": 2, "longtable": 1, "supertabular": 1,
                 "xtabular": 1, "tabu": 1, "longtabu": 1, "NiceTabular": 1, "tblr": 1}
_LIST_ENVS = frozenset(["itemize", "enumerate", "description", "compactitem", "compactenum", "inparaenum", "asparaenum", "list"])
_ENV_ARGS = {"minipage": 1, "multicols": 1, "multicols*": 1, "spacing": 1, "wrapfigure": 2, "wraptable": 2,
             "subfigure": 1, "subtable": 1, "adjustbox": 1, "list": 2, "otherlanguage": 1, "thebibliography": 1,
             "SCfigure": 0, "minted": 1, "appendices": 0, "lrbox": 1, "tcolorbox": 0, "frame": 0}
_KEYWORD_ENVS = frozenset({"keywords", "IEEEkeywords", "keyword", "kwd-group"})
_UNSAFE_MACRO = re.compile(r"\\(?:def|edef|gdef|xdef|let|futurelet|if[A-Za-z]*|else|fi|expandafter|csname|"
                           r"makeatletter|newcommand|renewcommand|providecommand|afterassignment|"
                           r"aftergroup|uppercase|lowercase|loop|repeat|catcode|input|include)\b|\\[A-Za-z]*@|#[^1-9#]")
_NO_FI = frozenset(["ifthenelse", "iftoggle", "ifbool", "ifdef", "ifundef", "ifstrequal", "ifstrempty", "ifblank", "ifdefempty", "ifnumcomp", "ifdimcomp", "ifpackageloaded", "ifclassloaded", "ifcsdef", "ifcsundef", "ifboolexpr", "ifdefstring", "ifnumequal", "ifcsstring", "ifdefmacro", "ifltxcounter", "ifdefined@"])
_CONDITIONAL = re.compile(r"\\(if[A-Za-z@]*|fi)(?![A-Za-z@])")
_PLAIN = re.compile(r"[^\\{}$~\n\x00&`'\- \t\[\]]+")
_CONTROL_WORD = re.compile(r"[A-Za-z@]+\*?")
_ITEM_SPLIT = re.compile(r"\s*,\s*")


@dataclass
class _Macro:
    nargs: int
    default: str | None
    body: str
    expandable: bool


class _Parser:
    """One pass over the main file and what it includes, emitting blocks."""

    def __init__(self, path: str, config: dict[str, Any]) -> None:
        self.path = path
        self.folder = Path(path).resolve().parent
        self.limit_mb = float(config.get("limits", {}).get("max_text_mb", DEFAULT_MAX_TEXT_MB))
        self.sources: list[_Source] = []
        self.real: list[int] = []  # indexes of real files, in order: file index -> source index
        self.file_of: dict[int, int] = {}  # source index -> file index
        self.includes: dict[int, tuple[int, int, bool]] = {}  # file -> (parent file, offset, safe)
        self.missing: list[str] = []
        self.em = _Emitter()
        self.macros: dict[str, _Macro] = {}
        self.labels: dict[str, tuple[str, str]] = {}
        self.counters = {"Figure": 0, "Table": 0, "Algorithm": 0, "Listing": 0, "Equation": 0}
        self.sections = [0] * 6
        self.current_label: tuple[str, str] = ("", "??")
        self.bib_specs: list[str] = []
        self.bibstyle: str | None = None
        self.biblatex_style: str | None = None
        self.nocite: list[str] = []
        self.cite_keys: list[str] = []
        self.bibitems: list[str] = []
        self.preamble = False
        self.arg_depth = 0
        self.override: tuple[int | None, int] | None = None
        self.expand_depth = 0
        self.expanded = 0
        self.expansions = 0
        self.depth = 0
        self.float_kind: list[str | None] = []
        self.tabular: list[bool] = []
        self.abstract_depth = 0
        self.chain: list[Path] = []
        self.body_mark: int | None = None  # blocks from here on are the body (after \maketitle)
        self.raw: bytes | None = None  # the main file's bytes, as read
        self.notices: list[str] = []  # how a file was decoded, when it was a guess

    # -------------------------------------------------------------- files

    def _read(self, path: Path, name: str) -> _Source:
        data = read_bounded(path, self.limit_mb, name)
        if self.raw is None:  # the main file: what annotate writes its copy from
            self.raw = data
        return _source(name, decode_text(data, name, self.notices))

    def _add(self, src: _Source) -> int:
        self.sources.append(src)
        si = len(self.sources) - 1
        if not src.virtual:
            self.file_of[si] = len(self.real)
            self.real.append(si)
        return si

    def parse(self) -> None:
        main = Path(self.path)
        src = self._read(main, self.path)
        si = self._add(src)
        self.chain.append(main.resolve())
        t = src.masked
        begin = re.search(r"\\begin\s*\{document\}", t)
        if begin:
            self.preamble = True
            self.em.stack[0].discard = True
            self._run(si, 0, begin.start())
            self.em.par()
            self.preamble = False
            self.em.stack[0].discard = False
            end = re.search(r"\\end\s*\{document\}", t[begin.end():])
            self._run(si, begin.end(), begin.end() + end.start() if end else len(t))
        else:
            self._run(si, 0, len(t))
        while len(self.em.stack) > 1:
            self.em.pop()
        self.em.par()

    def _include(self, si: int, name: str, at: int, base: Path | None = None) -> None:
        """Read an included file in place: inside the folder tree, a regular file, prose."""
        name = name.strip()
        if not name or len(self.real) >= MAX_FILES or len(self.chain) > MAX_INCLUDE_DEPTH:
            return
        rel = name
        if base is not None:  # \import{dir}{file}: relative to the importing file's folder
            rel = os.path.relpath((base / name), self.folder)
        suffix = Path(rel).suffix.lower()
        candidates = [rel] if suffix in _PROSE_SUFFIXES and suffix else [rel + ".tex", rel]
        path = None
        for cand in candidates:
            path, _why = inside_folder(self.path, cand)
            if path is not None:
                rel = cand
                break
        if path is None:
            self.missing.append(name)
            return
        if path.suffix.lower() not in _PROSE_SUFFIXES or path in self.chain:
            return  # figure code (.pgf, .tikz), or a file that includes itself
        display = str(Path(self.path).parent / rel) if not os.path.isabs(rel) else rel
        try:
            src = self._read(path, display)
        except InputError as exc:
            if exc.problem == "empty file":
                return
            raise
        except OSError:
            self.missing.append(name)
            return
        parent, offset = self._loc(si, at)  # in a macro's expansion: where the macro is used
        child = self._add(src)
        self.includes[self.file_of[child]] = (parent or 0, offset if parent is not None else 0, self._safe())
        self.chain.append(path)
        try:
            t = src.masked
            begin = re.search(r"\\begin\s*\{document\}", t)  # a \subfile: only its document body
            if begin:
                end = re.search(r"\\end\s*\{document\}", t[begin.end():])
                self._run(child, begin.end(), begin.end() + end.start() if end else len(t))
            else:
                self._run(child, 0, len(t))
        finally:
            self.chain.pop()

    # -------------------------------------------------------------- helpers

    def _loc(self, si: int, pos: int) -> tuple[int | None, int]:
        if self.override is not None:
            return self.override
        return self.file_of.get(si), pos

    def _safe(self) -> bool:
        return (not self.preamble and self.arg_depth == 0 and self.override is None and len(self.em.stack) == 1
                and self.em.stack[0].kind in (BlockKind.PARAGRAPH, BlockKind.ABSTRACT, BlockKind.REFERENCE))

    def emit(self, si: int, s: str, pos: int) -> None:
        file, off = self._loc(si, pos)
        self.em.text(s, file, off, self._safe() and file is not None)

    def space(self, si: int, pos: int) -> None:
        file, off = self._loc(si, pos)
        self.em.space(file, off)

    @staticmethod
    def _skip_ws(t: str, i: int, stop: int) -> int:
        while i < stop and t[i] in " \t\n\x00":
            if t[i] == "\n" and re.match(r"[ \t]*\n", t[i + 1:i + 80]):  # a blank line ends the arguments
                return i
            i += 1
        return i

    @staticmethod
    def _match(t: str, i: int, stop: int, open_: str = "{", close: str = "}") -> int:
        """Index of the bracket closing the one at ``i`` (braces nest inside; stop if unclosed)."""
        depth = 0
        brace = 0
        j = i
        while j < stop:
            c = t[j]
            if c == "\\":
                j += 2
                continue
            if open_ == "[":
                if c == "{":
                    brace += 1
                elif c == "}":
                    brace -= 1
                    if brace < 0:
                        return stop
                elif brace == 0 and c == "[":
                    depth += 1
                elif brace == 0 and c == "]":
                    depth -= 1
                    if depth == 0:
                        return j
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return stop

    def _group(self, t: str, i: int, stop: int) -> tuple[int, int, int] | None:
        """A mandatory argument at ``i`` (after spaces): ``(start, end, next)`` of its content."""
        i = self._skip_ws(t, i, stop)
        if i >= stop:
            return None
        if t[i] == "{":
            j = self._match(t, i, stop)
            return i + 1, j, min(j + 1, stop)
        if t[i] == "\\":
            m = _CONTROL_WORD.match(t, i + 1, stop)
            end = m.end() if m else min(i + 2, stop)
            return i, end, end
        if t[i] in "}]":
            return None
        return i, i + 1, i + 1

    def _opt(self, t: str, i: int, stop: int) -> tuple[int, int, int] | None:
        j = self._skip_ws(t, i, stop)
        if j < stop and t[j] == "[":
            k = self._match(t, j, stop, "[", "]")
            return j + 1, k, min(k + 1, stop)
        return None

    def _skip_opts(self, t: str, i: int, stop: int) -> int:
        while (o := self._opt(t, i, stop)) is not None:
            i = o[2]
        return i

    def _args(self, t: str, i: int, stop: int, n: int) -> tuple[list[tuple[int, int]], int]:
        """``n`` mandatory arguments (optional ones before and between skipped)."""
        out: list[tuple[int, int]] = []
        i = self._skip_opts(t, i, stop)
        for _ in range(n):
            g = self._group(t, i, stop)
            if g is None:
                break
            out.append((g[0], g[1]))
            i = self._skip_opts(t, g[2], stop)
        return out, i

    def _render_arg(self, si: int, start: int, end: int) -> None:
        self.arg_depth += 1
        try:
            self._run(si, start, end)
        finally:
            self.arg_depth -= 1

    def _raw(self, si: int, start: int, end: int) -> str:
        return self.sources[si].masked[start:end].replace(_COMMENT, "")

    # -------------------------------------------------------------- main loop

    def _run(self, si: int, i: int, stop: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.depth -= 1
            return
        try:
            self._loop(si, i, stop)
        finally:
            self.depth -= 1

    def _loop(self, si: int, i: int, stop: int) -> None:
        t = self.sources[si].masked
        while i < stop:
            m = _PLAIN.match(t, i, stop)
            if m:
                self.emit(si, m.group(), i)
                i = m.end()
                continue
            c = t[i]
            if c in " \t":
                self.space(si, i)
                i += 1
            elif c == "\n" or c == _COMMENT:
                i = self._line_end(si, t, i, stop)
            elif c == "{":
                j = self._match(t, i, stop)
                self._run(si, i + 1, j)
                i = j + 1
            elif c == "}" or c == "]" or c == "[":
                if c != "}":
                    self.emit(si, c, i)
                i += 1
            elif c == "$":
                i = self._math_dollar(t, i, stop)
            elif c == "~":
                self.space(si, i)
                i += 1
            elif c == "&":
                if self.tabular and self.tabular[-1]:
                    self._cell()
                i += 1
            elif c in "`'-":
                i = self._ligature(si, t, i)
            elif c == "\\":
                i = self._command(si, t, i, stop)
            else:  # pragma: no cover - _PLAIN takes everything else
                i += 1

    def _line_end(self, si: int, t: str, i: int, stop: int) -> int:
        """A line end (or a comment's): a space, and a new paragraph after an empty line."""
        j = i + 1
        while j < stop and t[j] == _COMMENT:
            j += 1
        if t[i] == "\n":
            self.space(si, i)
        k = j
        while k < stop and t[k] in " \t":
            k += 1
        if k < stop and t[k] == "\n":  # an empty line: a new paragraph
            self._par()
            while k < stop and t[k] in " \t\n\x00":
                k += 1
        return k

    def _ligature(self, si: int, t: str, i: int) -> int:
        """TeX's input ligatures: ``` `` ``/``''`` quotes, ``--``/``---`` dashes."""
        c = t[i]
        if c == "-":
            n = 3 if t.startswith("---", i) else 2 if t.startswith("--", i) else 1
            self.emit(si, {3: "—", 2: "–", 1: "-"}[n], i)
            return i + n
        if t.startswith(c * 2, i):
            self.emit(si, "“" if c == "`" else "”", i)
            return i + 2
        self.emit(si, "‘" if c == "`" else "'", i)
        return i + 1

    def _par(self) -> None:
        if self.tabular and self.tabular[-1]:
            return  # a blank line inside a cell does not end the table
        self.em.par()

    def _math_dollar(self, t: str, i: int, stop: int) -> int:
        if t.startswith("$$", i):
            j = t.find("$$", i + 2, stop)
            return stop if j < 0 else j + 2
        j = i + 1
        while j < stop:
            if t[j] == "\\":
                j += 2
                continue
            if t[j] == "$":
                return j + 1
            if t[j] == "\n" and re.match(r"[ \t]*\n", t[j + 1:j + 80]):
                return j  # an unclosed $ does not swallow the next paragraph
            j += 1
        return stop

    # -------------------------------------------------------------- commands

    def _command(self, si: int, t: str, i: int, stop: int) -> int:
        """One control sequence at ``t[i]``: dispatched to the handler of its kind."""
        if i + 1 >= stop:
            return stop
        m = _CONTROL_WORD.match(t, i + 1, stop)
        if not m:
            ch = t[i + 1]
            return self._symbol(si, t, i, stop, ch)
        word = m.group()
        star = word.endswith("*")
        name = word.rstrip("*")
        j = m.end()
        handler = getattr(self, f"_cmd_{name}", None) if name.isalpha() else None
        if handler is not None and name not in self.macros:
            return handler(si, t, i, j, stop)
        if name in _SECTIONS:
            return self._section(si, t, name, star, i, j, stop)
        if name in _CITE or name in _MULTICITE:
            return self._cite(si, t, name, i, j, stop)
        if name in _INPUTS:
            return self._input_command(si, t, name, i, j, stop)
        if name in _IMPORTS:
            return self._import_command(si, t, i, j, stop)
        if name in self.macros:
            return self._expand(si, t, name, i, j, stop)
        if name in _FRONT:
            return self._front(si, t, name, i, j, stop)
        if name in _TEXT_ARG or name in _LAST_ARG:
            return self._argument_text(si, t, name, j, stop)
        if name in _DROP:
            return self._dropped(si, t, name, j, stop)
        if name in _SYMBOLS:
            return self._named_symbol(si, name, i, j)
        if len(name) == 1 and name in _ACCENTS:
            return self._accent(si, t, i, j, stop, name)
        if (name.startswith("if") and name not in _NO_FI) or name in ("else", "fi", "or"):
            return j  # an \if… we cannot evaluate: both branches are read
        return self._unknown(si, t, j, stop)

    def _input_command(self, si: int, t: str, name: str, i: int, j: int, stop: int) -> int:
        r"""``\input{file}``, ``\include``, ``\subfile``, and TeX's own ``\input file``."""
        g = self._group(t, j, stop)
        if g is None:
            m2 = re.match(r"\s+([^\s{}\\]+)", t[j:stop])  # TeX's own "\input file"
            if not m2:
                return j
            self._include(si, m2.group(1), i)
            return j + m2.end()
        self._include(si, self._raw(si, g[0], g[1]), i)
        return g[2] if name != "InputIfFileExists" else self._args(t, g[2], stop, 2)[1]

    def _import_command(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        r"""``\import{dir}{file}``: the file relative to a folder."""
        args, k = self._args(t, j, stop, 2)
        if len(args) == 2:
            here = self.sources[si]
            base = Path(here.name).resolve().parent if not here.virtual else self.folder
            self._include(si, self._raw(si, *args[1]), i, base / self._raw(si, *args[0]))
        return k

    def _argument_text(self, si: int, t: str, name: str, j: int, stop: int) -> int:
        r"""Commands whose (first or last) argument is prose: ``\emph{…}``, ``\href{url}{text}``."""
        if name in _TEXT_ARG:
            g = self._group(t, self._skip_opts(t, j, stop), stop)
            if g is None:
                return j
            self._render_arg(si, g[0], g[1])
            return g[2]
        args, k = self._args(t, j, stop, _LAST_ARG[name])
        if name == "texorpdfstring":
            args, k = self._args(t, j, stop, 2)
            args = args[:1]
        if args:
            self._render_arg(si, *args[-1])
        return k

    def _dropped(self, si: int, t: str, name: str, j: int, stop: int) -> int:
        r"""Commands that are not prose, read only for what they tell the reader: a
        label's place, the bibliography style, ``\nocite`` keys, biblatex in use."""
        if name in ("vskip", "hskip"):
            d = _DIMENSION.match(t, j, stop)
            return d.end() if d else j
        g = self._group(t, j, stop) if name in ("label", "bibliographystyle", "nocite") else None
        if name == "label":
            if g:
                self.labels.setdefault(self._raw(si, g[0], g[1]).strip(), self.current_label)
                return g[2]
            return j
        if name == "bibliographystyle" and g:
            self.bibstyle = self._raw(si, g[0], g[1]).strip()
        if name == "nocite" and g:
            self.nocite += [k for k in _ITEM_SPLIT.split(self._raw(si, g[0], g[1]).strip()) if k]
        if name == "usepackage":
            self._note_biblatex(si, t, j, stop)
        return self._args(t, j, stop, _DROP[name])[1]

    def _note_biblatex(self, si: int, t: str, j: int, stop: int) -> None:
        r"""``\usepackage[style=…]{biblatex}``: biber matches keys by case, BibTeX does not."""
        o = self._opt(t, j, stop)
        g = self._group(t, o[2] if o else j, stop)
        if o and g and "biblatex" in self._raw(si, g[0], g[1]):
            sm = re.search(r"\b(?:style|citestyle)\s*=\s*([\w-]+)", self._raw(si, o[0], o[1]))
            self.biblatex_style = sm.group(1) if sm else "numeric"

    def _named_symbol(self, si: int, name: str, i: int, j: int) -> int:
        r"""``\ldots``, ``\textendash``, ``\quad``: a character or a space."""
        if _SYMBOLS[name].strip():
            self.emit(si, _SYMBOLS[name], i)
        else:
            self.space(si, i)
        return j

    def _unknown(self, si: int, t: str, j: int, stop: int) -> int:
        """An unknown command: optional arguments skipped, brace arguments read as text (as detex does)."""
        k = j
        if k < stop and t[k] == "[":
            k = self._skip_opts(t, k, stop)
        while k < stop and t[k] == "{":
            e = self._match(t, k, stop)
            self._render_arg(si, k + 1, e)
            k = e + 1
        return k

    def _symbol(self, si: int, t: str, i: int, stop: int, ch: str) -> int:
        if ch == "\\":  # a line break: \\, \\*, \\[2mm]
            self.space(si, i)
            if self.tabular and self.tabular[-1]:
                self._cell()
            k = i + 2
            if k < stop and t[k] == "*":
                k += 1
            o = self._opt(t, k, stop) if k < stop and t[k:k + 1] in "[ " else None
            return o[2] if o and t[self._skip_ws(t, k, stop)] == "[" else k
        if ch in _ACCENTS and ch not in "~":
            return self._accent(si, t, i, i + 2, stop, ch)
        if ch == "~":
            return self._accent(si, t, i, i + 2, stop, ch)
        if ch == "(":
            j = t.find("\\)", i + 2, stop)
            return stop if j < 0 else j + 2
        if ch == "[":
            j = t.find("\\]", i + 2, stop)
            self.space(si, i)
            return stop if j < 0 else j + 2
        out = _ESCAPED.get(ch)
        if out is None:
            return i + 2
        if out == " ":
            self.space(si, i)
        elif out:
            self.emit(si, out, i)
        return i + 2

    def _accent(self, si: int, t: str, i: int, j: int, stop: int, mark: str) -> int:
        g = self._group(t, j, stop) if (j < stop and (t[j] in "{\\" or mark.isalpha())) else (j, j + 1, j + 1)
        if g is None or g[2] > stop:
            return j
        base = self._raw(si, g[0], g[1]).strip()
        base = {"\\i": "i", "\\j": "j"}.get(base, base)
        if len(base) == 1 and base.isalpha():
            self.emit(si, unicodedata.normalize("NFC", base + _ACCENTS[mark]), i)
        elif base:
            self.emit(si, base, i)
        return g[2]

    # -------------------------------------------------------------- structure

    def _section(self, si: int, t: str, name: str, star: bool, i: int, j: int, stop: int) -> int:
        o = self._opt(t, j, stop)
        g = self._group(t, o[2] if o else j, stop)
        if g is None:
            return j
        level = _SECTIONS[name]
        if self.abstract_depth or self.preamble:  # a run-in label inside the abstract ("Motivation:")
            self.em.par()
            self._render_arg(si, g[0], g[1])
            self.space(si, g[1])
            return g[2]
        if not star and name != "part":
            self.sections[level] += 1
            for k in range(level + 1, len(self.sections)):
                self.sections[k] = 0
            number = ".".join(str(n) for n in self.sections[1:level + 1])
            self.current_label = ("Section", number)
        self._par()
        self.em.push(BlockKind.HEADING, level)
        self._render_arg(si, g[0], g[1])
        self.em.pop()
        return g[2]

    def _front(self, si: int, t: str, name: str, i: int, j: int, stop: int) -> int:
        kind = _FRONT[name]
        if name == "abstract" and not (self._skip_ws(t, j, stop) < stop and t[self._skip_ws(t, j, stop)] in "{["):
            return j  # \abstract as a bare word: the environment's own macro
        args, k = self._args(t, j, stop, 1)
        if not args:
            return j
        if len(self.em.stack) == 1 and name != "thanks":
            self._par()
        self.em.push(kind)
        if kind is BlockKind.KEYWORDS:
            self.em.text("Keywords: ", None, 0, False)
        self._render_arg(si, *args[0])
        self.em.pop()
        return k

    def _cmd_begin(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, j, stop)
        if g is None:
            return j
        env = self._raw(si, g[0], g[1]).strip()
        body = g[2]
        if env in _VERBATIM_ENVS or env.startswith(("lstlisting", "minted")):
            end = self.sources[si].text.find(f"\\end{{{env}}}", body, stop) if not self.sources[si].virtual else -1
            if end < 0:
                end = t.find(f"\\end{{{env}}}", body, stop)
            return stop if end < 0 else end + len(env) + 6
        end, after = self._find_end(t, body, stop, env)
        if env in _MATH_ENVS:
            self._equations(t[body:end], env)
            self.space(si, i)
            return after
        if env in _SKIP_ENVS:
            return after
        nargs = _TABULAR_ENVS.get(env, _ENV_ARGS.get(env, 0))
        if env == "thebibliography":
            _widest, body = self._args(t, body, end, 1)
            return self._thebibliography(si, t, body, end, after)
        if nargs:
            _args, body = self._args(t, body, end, nargs)
        else:
            o = self._opt(t, body, end)
            body = o[2] if o and env not in _LIST_ENVS and env != "abstract" else body
        if env in ("document", "frontmatter"):
            self._run(si, body, end)
            if env == "frontmatter" and len(self.em.stack) == 1:  # elsarticle: the body follows
                self.em.par()
                self.body_mark = len(self.em.out)
        elif env == "abstract":
            self._par()
            old = self.em.top.kind
            self.em.top.kind = BlockKind.ABSTRACT
            self.abstract_depth += 1
            try:
                self._run(si, body, end)
                self.em.par()
            finally:
                self.abstract_depth -= 1
                self.em.top.kind = old
        elif env in _KEYWORD_ENVS:
            self._par()
            self.em.push(BlockKind.KEYWORDS)
            self.em.text("Keywords: ", None, 0, False)
            self._run(si, body, end)
            self.em.pop()
        elif env in _FLOAT_ENVS:
            kind = _FLOAT_ENVS[env]
            self.float_kind.append(kind or (self.float_kind[-1] if self.float_kind else None))
            saved = self.current_label
            if kind:
                self.counters[kind] += 1
                self.current_label = (kind, str(self.counters[kind]))
            # Text in a float outside its caption (a table's notes, OUP's \processtable
            # footnote) is a legend too; a citation there counts where the float sits.
            self.em.push(BlockKind.CAPTION)
            self.tabular.append(False)
            try:
                self._run(si, body, end)
            finally:
                self.tabular.pop()
                self.em.pop()
                self.float_kind.pop()
                if kind:
                    self.current_label = saved
        elif env in _TABULAR_ENVS:
            self.tabular.append(True)
            self.em.push(BlockKind.TABLE_CELL)
            try:
                self._run(si, body, end)
            finally:
                self.em.pop()
                self.tabular.pop()
        elif env in _LIST_ENVS:
            self._par()
            self.tabular.append(False)
            try:
                self._run(si, body, end)
            finally:
                self.tabular.pop()
            self._par()
        else:
            self.tabular.append(False)
            try:
                self._run(si, body, end)
            finally:
                self.tabular.pop()
        return after

    def _equations(self, content: str, env: str) -> None:
        """Number a display's equations as LaTeX does (each row of an ``align``, none of
        a starred one), so ``\\eqref`` reads "(3)" and not "(??)"."""
        starred = env.endswith("*") or env in ("displaymath", "math")
        rows = [content] if env.startswith(("equation", "multline", "dmath")) else re.split(r"\\\\", content)
        for row in rows:
            if not starred and row.strip() and not re.search(r"\\(?:nonumber|notag)\b", row):
                self.counters["Equation"] += 1
            for label in re.findall(r"\\label\s*\{([^{}]*)\}", row):
                self.labels.setdefault(label.strip(), ("Equation", str(self.counters["Equation"])))

    def _find_end(self, t: str, i: int, stop: int, env: str) -> tuple[int, int]:
        """Where the environment opened before ``i`` ends: (start of ``\\end{env}``, after it)."""
        pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(env) + r"\}")
        depth = 1
        for m in pattern.finditer(t, i, stop):
            depth += 1 if m.group(1) == "begin" else -1
            if depth == 0:
                return m.start(), m.end()
        return stop, stop

    def _cmd_end(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, j, stop)  # a stray \end (its \begin was in a macro): nothing to do
        return g[2] if g else j

    def _cell(self) -> None:
        if len(self.em.stack) > 1 and self.em.top.kind is BlockKind.TABLE_CELL:
            self.em.pop()
            self.em.push(BlockKind.TABLE_CELL)

    def _cmd_item(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        if not (self.tabular and self.tabular[-1]):
            self.em.par()
        o = self._opt(t, j, stop) if j < stop and t[self._skip_ws(t, j, stop)] == "[" else None
        if o:
            self._render_arg(si, o[0], o[1])
            self.space(si, o[1])
            return o[2]
        return j

    def _cmd_maketitle(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        """What follows the title block is the paper, even before its first heading (PNAS
        and Nature-style introductions have none): remember where it starts."""
        if not self.preamble and len(self.em.stack) == 1:
            self.em.par()
            self.body_mark = len(self.em.out)
        return j

    def _cmd_ifthenelse(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        """``\\ifthenelse{test}{then}{else}``: the test cannot be evaluated; the "then" text is read."""
        args, k = self._args(t, j, stop, 3)
        if len(args) >= 2:
            self._render_arg(si, *args[1])
        return k

    def _cmd_par(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        self._par()
        return j

    def _cmd_caption(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        o = self._opt(t, j, stop)
        g = self._group(t, o[2] if o else j, stop)
        if g is None:
            return j
        kind = self.float_kind[-1] if self.float_kind else None
        self.em.push(BlockKind.CAPTION)
        if kind:
            self.em.text(f"{kind} {self.counters[kind]}. ", None, 0, False)
        self._render_arg(si, g[0], g[1])
        self.em.pop()
        return g[2]

    _cmd_subcaption = _cmd_caption

    def _cmd_processtable(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        """OUP's ``\\processtable{caption}{table}{notes}``."""
        args, k = self._args(t, j, stop, 3)
        if len(args) == 3:
            self._cmd_caption(si, t, i, args[0][0] - 1, args[0][1] + 1)
            self._run(si, *args[1])
            self._render_arg(si, *args[2])
        return k

    _cmd_processfigure = _cmd_processtable

    def _cmd_captionof(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, j, stop)
        if g is None:
            return j
        kind = {"figure": "Figure", "table": "Table"}.get(self._raw(si, g[0], g[1]).strip())
        if kind:
            self.counters[kind] += 1
        self.float_kind.append(kind)
        try:
            return self._cmd_caption(si, t, i, g[2], stop)
        finally:
            self.float_kind.pop()

    def _cmd_footnote(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        args, k = self._args(t, j, stop, 1)
        if not args:
            return j
        self.em.push(BlockKind.FOOTNOTE)
        self._render_arg(si, *args[0])
        self.em.pop()
        return k

    _cmd_footnotetext = _cmd_footnote
    _cmd_tablefootnote = _cmd_footnote

    def _cmd_iffalse(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        depth = 1
        for m in _CONDITIONAL.finditer(t, j, stop):
            word = m.group(1)
            if word == "fi":
                depth -= 1
                if depth == 0:
                    return m.end()
            elif word not in _NO_FI and not t.startswith("\\newif", max(0, m.start() - 6)):
                depth += 1
        return stop

    def _cmd_verb(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        if j >= stop:
            return stop
        delim = t[j]
        k = t.find(delim, j + 1, stop)
        return stop if k < 0 else k + 1

    def _cmd_lstinline(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        j = self._skip_opts(t, j, stop)
        if j < stop and t[j] == "{":
            return self._match(t, j, stop) + 1
        return self._cmd_verb(si, t, i, j, stop)

    def _cmd_mintinline(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, self._skip_opts(t, j, stop), stop)
        return self._cmd_lstinline(si, t, i, g[2], stop) if g else j

    def _cmd_url(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, j, stop)
        if g is None:
            return j
        self.arg_depth += 1
        try:
            url = re.sub(r"\\([_#%&~$])", r"\1", self._raw(si, g[0], g[1]).strip())
            self.emit(si, url, g[0])
        finally:
            self.arg_depth -= 1
        return g[2]

    _cmd_nolinkurl = _cmd_url
    _cmd_path = _cmd_url

    def _cmd_ref(self, si: int, t: str, i: int, j: int, stop: int, form: str = "ref") -> int:
        g = self._group(t, j, stop)
        if g is None:
            return j
        file, off = self._loc(si, i)
        for k, label in enumerate(x for x in _ITEM_SPLIT.split(self._raw(si, g[0], g[1]).strip()) if x):
            if k:
                self.em.text(", ", None, 0, False)
            self.em.item(_Ref(label, form, file, off))
        return g[2]

    def _cmd_autoref(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        return self._cmd_ref(si, t, i, j, stop, "auto")

    _cmd_cref = _cmd_autoref
    _cmd_Autoref = _cmd_autoref

    def _cmd_Cref(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        return self._cmd_ref(si, t, i, j, stop, "Auto")

    def _cmd_eqref(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        return self._cmd_ref(si, t, i, j, stop, "eq")

    def _cmd_pageref(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        return self._cmd_ref(si, t, i, j, stop, "page")

    _cmd_nameref = _cmd_pageref

    def _cmd_bibliography(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        g = self._group(t, j, stop)
        if g is None:
            return j
        for name in _ITEM_SPLIT.split(self._raw(si, g[0], g[1]).strip()):
            if name:
                self.bib_specs.append(name if name.lower().endswith(".bib") else name + ".bib")
        return g[2]

    def _cmd_addbibresource(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        args, k = self._args(t, j, stop, 1)
        if args:
            name = self._raw(si, *args[0]).strip()
            if name and not re.match(r"[a-z]+://", name):
                self.bib_specs.append(name)
        return k

    _cmd_addglobalbib = _cmd_addbibresource
    _cmd_bibdata = _cmd_bibliography

    def _cmd_bibitem(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        o = self._opt(t, j, stop)
        g = self._group(t, o[2] if o else j, stop)
        if g is None:
            return j
        self.em.par()
        key = self._raw(si, g[0], g[1]).strip()
        self.bibitems.append(key)
        self.em.top.key = key
        return g[2]

    def _cmd_newblock(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        self.space(si, i)
        return j

    def _thebibliography(self, si: int, t: str, body: int, end: int, after: int) -> int:
        self._par()
        old = self.em.top.kind
        self.em.top.kind = BlockKind.REFERENCE
        try:
            self._run(si, body, end)
            self.em.par()
        finally:
            self.em.top.kind = old
            self.em.top.key = None
        return after

    # -------------------------------------------------------------- citations

    def _cite(self, si: int, t: str, name: str, i: int, j: int, stop: int) -> int:
        keys: list[str] = []
        k = j
        if name in _MULTICITE:
            while True:  # (pre)(post) for the whole list
                m = re.match(r"\s*\([^()]*\)", t[k:stop])
                if not m:
                    break
                k += m.end()
            while True:
                k2 = self._skip_opts(t, k, stop)
                g = self._group(t, k2, stop) if self._skip_ws(t, k2, stop) < stop and t[self._skip_ws(t, k2, stop)] == "{" else None
                if g is None:
                    break
                keys += self._keys(self._raw(si, g[0], g[1]))
                k = g[2]
        else:
            k = self._skip_opts(t, k, stop)
            g = self._group(t, k, stop)
            if g is None or t[self._skip_ws(t, k, stop)] != "{":
                return j
            keys = self._keys(self._raw(si, g[0], g[1]))
            k = g[2]
        self.cite_keys += keys
        file, off = self._loc(si, i)
        self.em.item(_Cite(tuple(keys), file, off, self._safe() and file is not None))
        return k

    @staticmethod
    def _keys(spec: str) -> list[str]:
        """"a, *b ,c" -> [a, b, c]: REVTeX's "*b" merges b into a's entry, b is still a key."""
        return [k.lstrip("*").strip() for k in _ITEM_SPLIT.split(spec.strip()) if k.lstrip("*").strip()]

    # -------------------------------------------------------------- macros

    def _definition(self, si: int, t: str, j: int, stop: int) -> tuple[str | None, int, str | None, int]:
        """Name, argument count and default of \\newcommand-like definitions; index after."""
        if j < stop and t[j] == "*":
            j += 1
        g = self._group(t, j, stop)
        if g is None:
            return None, 0, None, j
        name = self._raw(si, g[0], g[1]).strip()
        k = g[2]
        nargs, default = 0, None
        o = self._opt(t, k, stop)
        if o:
            n = self._raw(si, o[0], o[1]).strip()
            nargs = int(n) if n.isdigit() else 0
            k = o[2]
            o2 = self._opt(t, k, stop)
            if o2:
                default = self._raw(si, o2[0], o2[1])
                k = o2[2]
        return name, nargs, default, k

    def _define(self, name: str | None, nargs: int, default: str | None, body: str, overwrite: bool) -> None:
        if not name or not name.startswith("\\"):
            return
        key = name[1:]
        if not _CONTROL_WORD.fullmatch(key) or (not overwrite and key in self.macros):
            return
        refs = {int(d) for d in re.findall(r"#(\d)", body)}
        ok = not _UNSAFE_MACRO.search(body) and all(1 <= d <= nargs for d in refs) and nargs <= 9
        self.macros[key] = _Macro(nargs, default, body, ok)

    def _cmd_newcommand(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        name, nargs, default, k = self._definition(si, t, j, stop)
        g = self._group(t, k, stop)
        if g is None:
            return k
        self._define(name, nargs, default, self._raw(si, g[0], g[1]), True)
        return g[2]

    _cmd_renewcommand = _cmd_newcommand
    _cmd_DeclareRobustCommand = _cmd_newcommand

    def _cmd_providecommand(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        name, nargs, default, k = self._definition(si, t, j, stop)
        g = self._group(t, k, stop)
        if g is None:
            return k
        self._define(name, nargs, default, self._raw(si, g[0], g[1]), False)
        return g[2]

    def _cmd_def(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        m = re.match(r"\s*\\([A-Za-z@]+)([^{]{0,40}?)\{", t[j:stop])
        if not m:
            return j
        start = j + m.end() - 1
        end = self._match(t, start, stop)
        params = m.group(2).strip()
        nargs = len(re.findall(r"#\d", params))
        if re.fullmatch(r"(?:#\d)*", params):
            self._define("\\" + m.group(1), nargs, None, self._raw(si, start + 1, end), True)
        return end + 1

    _cmd_gdef = _cmd_def
    _cmd_edef = _cmd_def
    _cmd_xdef = _cmd_def

    def _cmd_newenvironment(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        name, _n, _d, k = self._definition(si, t, j, stop)
        return self._args(t, k, stop, 2)[1]

    _cmd_renewenvironment = _cmd_newenvironment

    def _cmd_let(self, si: int, t: str, i: int, j: int, stop: int) -> int:
        m = re.match(r"\s*\\[A-Za-z@]+\s*=?\s*(?:\\[A-Za-z@]+|.)", t[j:stop])
        return j + m.end() if m else j

    def _expand(self, si: int, t: str, name: str, i: int, j: int, stop: int) -> int:
        macro = self.macros[name]
        args: list[str] = []
        k = j
        n = macro.nargs
        if macro.default is not None and n:
            o = self._opt(t, k, stop)
            args.append(self._raw(si, o[0], o[1]) if o else macro.default)
            k = o[2] if o else k
            n -= 1
        for _ in range(n):
            g = self._group(t, k, stop)
            if g is None:
                break
            args.append(self._raw(si, g[0], g[1]))
            k = g[2]
        if (not macro.expandable or self.expand_depth >= MAX_EXPANSION_DEPTH or self.expanded > MAX_EXPANDED_CHARS
                or self.expansions >= MAX_EXPANSIONS):
            return self._unknown(si, t, j, stop)  # TeX programming: read like an unknown command
        body = re.sub(r"#(\d)", lambda mm: args[int(mm.group(1)) - 1] if int(mm.group(1)) <= len(args) else "", macro.body)
        self.expanded += len(body)
        self.expansions += 1
        vsi = self._add(_source(f"\\{name}", body, virtual=True))
        saved = self.override
        self.override = saved or self._loc(si, i)
        self.expand_depth += 1
        try:
            self._run(vsi, 0, len(body))
        finally:
            self.expand_depth -= 1
            self.override = saved
            self.sources[vsi] = _Source("", "", "", True)  # expansions are not kept
        if not macro.nargs and k < stop and t[k] in " \t":
            self.space(si, k)  # "\hUC is": the space the author typed is kept (xspace-like)
        return k


# ------------------------------------------------------------------ blocks


def _pandoc_key(key: str) -> str:
    """``@key``, or ``@{key}`` for a key pandoc's bare form would cut short."""
    if re.fullmatch(r"[\w][\w:.#$%&\-+?<>~/]*", key) and key[-1] not in ".:;,?!" :
        return "@" + key
    return "@{" + key + "}" if not re.search(r"[{}\s]", key) else "@" + re.sub(r"[^\w:.\-]", "", key)


class _Builder:
    def __init__(self, parser: _Parser, numbers: dict[str, int] | None) -> None:
        self.p = parser
        self.numbers = numbers

    def cite_text(self, cite: _Cite) -> str:
        if not cite.keys:
            return "[]"
        if self.numbers is None:
            return "[" + "; ".join(_pandoc_key(k) for k in dict.fromkeys(cite.keys)) + "]"
        nums = [str(self.numbers[k]) for k in dict.fromkeys(cite.keys) if k in self.numbers]
        missing = [_pandoc_key(k) for k in dict.fromkeys(cite.keys) if k not in self.numbers]
        return ("[" + ", ".join(nums) + "]" if nums else "") + ("[" + "; ".join(missing) + "]" if missing else "")

    def ref_text(self, ref: _Ref) -> str:
        kind, number = self.p.labels.get(ref.label, ("", "??"))
        if ref.form == "eq":
            return f"({number})"
        if ref.form == "page":
            return "?"
        if ref.form in ("auto", "Auto") and kind:
            return f"{kind} {number}"
        return number

    def build(self, blk: _Blk, index: int) -> tuple[Block, list[tuple[int, int, int]]] | None:
        items = list(blk.items)
        while items and isinstance(items[0], _Piece) and not items[0].text.strip():
            items.pop(0)
        while items and isinstance(items[-1], _Piece) and not items[-1].text.strip():
            items.pop()
        parts: list[str] = []
        segments: list[Segment] = []
        safe: list[tuple[int, int, int]] = []
        pos = 0
        for it in items:
            # a margin note may go before a word or a citation, never inside a word
            boundary = pos == 0 or parts[-1][-1:].isspace()
            if isinstance(it, _Piece):
                text, file, offset = it.text, it.file, it.offset
                if it.safe and file is not None and boundary:
                    safe.append((pos, file, offset))
            elif isinstance(it, _Cite):
                text, file, offset = self.cite_text(it), it.file, it.offset
                if it.safe and file is not None:
                    safe.append((pos, file, offset))
            else:
                text, file, offset = self.ref_text(it), it.file, it.offset
            if not text:
                continue
            if file is None:
                segments.append(Segment(pos, len(text), None))
            else:
                src = self.p.sources[self.p.real[file]]
                line, col = src.line_col(offset)
                segments.append(Segment(pos, len(text), encode_locator(file, line), col))
            parts.append(text)
            pos += len(text)
        body = "".join(parts)
        if not body.strip():
            return None
        first = next((s for s in segments if s.locator is not None), None)
        anchor = ("latex", first.locator if first else 0)
        label = None
        if blk.kind is BlockKind.REFERENCE and blk.key is not None and self.numbers is not None:
            label = f"[{self.numbers.get(blk.key, 0)}]" if blk.key in self.numbers else None
        return Block(index=index, kind=blk.kind, text=body, source=SourceMap(tuple(segments)), level=blk.level,
                     anchor=anchor, list_label=label), safe


def read_latex(path: str, config: dict[str, Any] | None = None) -> Manuscript:
    """Read a LaTeX manuscript (and what it includes) into blocks; see the module docstring."""
    config = config or {}
    parser = _Parser(path, config)
    try:
        parser.parse()
    except RecursionError:  # nesting the guards did not catch: a hostile file, not a manuscript
        raise InputError(path, "LaTeX nested too deeply to read") from None
    bibitems = [k for k in parser.bibitems if k]
    numbers = {k: n for n, k in enumerate(dict.fromkeys(bibitems), start=1)} if bibitems else None
    builder = _Builder(parser, numbers)
    blocks: list[Block] = []
    safe_points: dict[int, list[tuple[int, int, int]]] = {}
    body_start: int | None = None
    for n, blk in enumerate(parser.em.out):
        if n == parser.body_mark:
            body_start = len(blocks)
        if blk.kind is BlockKind.REFERENCE and blk.key is None:
            blk = _Blk(BlockKind.PARAGRAPH, 0, blk.items)  # text before the first \bibitem
        built = builder.build(blk, len(blocks))
        if built is None:
            continue
        block, safe = built
        blocks.append(block)
        if safe:
            safe_points[block.index] = safe
    structured = _structure(blocks, body_start)
    files = [parser.sources[si].name for si in parser.real]
    metadata: dict[str, Any] = {
        "latex_files": files,
        "latex_includes": parser.includes,
        "latex_safe": safe_points,
        "latex_missing": parser.missing,
        "latex_bibliographystyle": parser.bibstyle,
        "latex_biblatex_style": parser.biblatex_style,
        "latex_nocite": parser.nocite,
    }
    if numbers is not None:
        # The inline list is the bibliography: a key it lacks is named by RC102 like a
        # pandoc key missing from a .bib (LaTeX prints "[?]" and warns in the log).
        metadata["bibliography"] = Bibliography(("thebibliography",), frozenset(numbers), (), {})
    elif parser.bib_specs:
        wanted = None if "*" in parser.nocite else frozenset(parser.cite_keys + parser.nocite)
        specs = list(dict.fromkeys(parser.bib_specs))
        bib = read_bibliography(path, specs, wanted)
        if bib is not None and parser.biblatex_style is None:
            bib = _bibtex_case_aliases(bib, path, specs, parser.cite_keys + parser.nocite, wanted)
        metadata["bibliography"] = bib
    if parser.notices:
        metadata["input_notices"] = parser.notices
    if structured is not None:
        metadata["prepared_structure"] = True
        blocks = structured
    return Manuscript(path=str(path), format="latex", blocks=tuple(blocks), metadata=metadata, raw=parser.raw)


def _bibtex_case_aliases(bib: Bibliography, path: Path, specs: list[str], cited: list[str],
                         wanted: frozenset[str] | None) -> Bibliography:
    """BibTeX matches citation keys case-insensitively (``\\cite{kawasaki}`` finds
    ``@article{Kawasaki, …}``; biber does not): each cited key the .bib holds only in
    another case, and in one entry, is given that entry."""
    folded: dict[str, list[str]] = {}
    for key in bib.keys:
        folded.setdefault(key.casefold(), []).append(key)
    alias = {c: folded[c.casefold()][0] for c in dict.fromkeys(cited)
             if c not in bib.keys and len(folded.get(c.casefold(), ())) == 1}
    if not alias:
        return bib
    if wanted is not None:  # the .bib was parsed for the cited keys only: parse these entries too
        bib = read_bibliography(path, specs, wanted | frozenset(alias.values())) or bib
    entries = {**bib.entries, **{c: bib.entries[a] for c, a in alias.items() if a in bib.entries}}
    return replace(bib, keys=bib.keys | frozenset(alias), entries=entries)


def _structure(blocks: list[Block], body_start: int | None) -> list[Block] | None:
    """The shared structure pass, told one thing it cannot see: paragraphs after
    ``\\maketitle`` (or elsarticle's ``frontmatter``) are the paper, not its front
    matter, though no heading comes before them.  None when there is nothing to tell."""
    if body_start is None:
        return None
    from refcheck.analysis.structure import classify

    out = list(classify(tuple(blocks)))
    for k in range(body_start, len(out)):
        if blocks[k].kind is BlockKind.PARAGRAPH and out[k].kind in (BlockKind.FRONT_MATTER, BlockKind.TITLE):
            out[k] = replace(out[k], kind=BlockKind.PARAGRAPH, section=())
    return out


@hookimpl
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    if Path(path).suffix.lower() not in LATEX_SUFFIXES:
        return None
    return read_latex(path, config)


@hookimpl
def refcheck_reader_suffixes() -> list[str]:
    """The file name endings this reader takes, for folder, glob and batch discovery."""
    return sorted(LATEX_SUFFIXES)
