"""Word styles and list numbering, resolved the way Word resolves them.

Why it is shared: a paragraph's meaning depends on inherited settings — a heading
level or list numbering from its style's ``basedOn`` chain, a text frame from a
style's ``w:framePr`` — and both the reader (headings, list labels, superscript)
and the Word-comment writer (which paragraphs are text frames) must resolve them
identically.  Every chain walk is cycle-safe and bounded, since styles come from
strangers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from refcheck.ooxml.namespaces import W, to_int, w_val

_SYMBOL_FORMATS = {"bullet", "none"}
_MAX_CHAIN = 32  # basedOn chains longer than this are cycles or hostile


# ---------------------------------------------------------------------------
# Styles


@dataclass
class Style:
    """One ``w:style`` with the settings the reader and writers inherit from it.

    Public because :meth:`Styles.chain` hands these out: callers read the name
    (heading levels), outline level, numbering, run properties and frame flag."""

    style_id: str
    name: str
    kind: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None
    rpr: etree._Element | None
    frame: bool = False  # pPr/framePr: paragraphs of this style are a positioned text frame


@dataclass
class Styles:
    """Paragraph and character styles with their basedOn chains resolved on demand."""

    by_id: dict[str, Style] = field(default_factory=dict)
    default_paragraph: str | None = None
    default_rpr: etree._Element | None = None

    @classmethod
    def parse(cls, root: etree._Element | None) -> Styles:
        """Read ``styles.xml``; ``None`` (no or unreadable part) gives no styles."""
        styles = cls()
        if root is None:
            return styles
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        styles.default_rpr = defaults
        for el in root.iter(W + "style"):
            style_id = el.get(W + "styleId")
            if not style_id:
                continue
            ppr = el.find(W + "pPr")
            num = ppr.find(W + "numPr") if ppr is not None else None
            style = Style(
                style_id=style_id,
                name=w_val(el.find(W + "name")) or style_id,
                kind=el.get(W + "type") or "paragraph",
                based_on=w_val(el.find(W + "basedOn")),
                outline=to_int(w_val(ppr.find(W + "outlineLvl"))) if ppr is not None else None,
                num_id=w_val(num.find(W + "numId")) if num is not None else None,
                ilvl=to_int(w_val(num.find(W + "ilvl"))) if num is not None else None,
                rpr=el.find(W + "rPr"),
                frame=ppr is not None and ppr.find(W + "framePr") is not None,
            )
            styles.by_id[style_id] = style
            if style.kind == "paragraph" and el.get(W + "default") in ("1", "true", "on"):
                styles.default_paragraph = style_id
        return styles

    def frame_styles(self) -> set[str]:
        """Paragraph styles that make a paragraph a text frame (w:framePr, inherited)."""
        return {sid for sid in self.by_id if any(s.frame for s in self.chain(sid))}

    def chain(self, style_id: str | None) -> list[Style]:
        """The style and its basedOn ancestors, nearest first, cycle-safe."""
        result: list[Style] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and len(result) < _MAX_CHAIN:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:
                break
            result.append(style)
            style_id = style.based_on
        return result


# ---------------------------------------------------------------------------
# Numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None
    legal: bool = False  # w:isLgl: shallower levels shown as decimal


@dataclass
class _Num:
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, _Level] = field(default_factory=dict)


def _parse_level(lvl: etree._Element) -> _Level:
    start = to_int(w_val(lvl.find(W + "start")))
    return _Level(
        start=1 if start is None else start,
        fmt=w_val(lvl.find(W + "numFmt")) or "decimal",
        text=w_val(lvl.find(W + "lvlText")) or "",
        restart=to_int(w_val(lvl.find(W + "lvlRestart"))),
        legal=lvl.find(W + "isLgl") is not None,
    )


def _restarts(level: _Level | None, ilvl: int) -> bool:
    """Whether an item at ``ilvl`` resets a deeper level (w:lvlRestart semantics:
    absent = after any shallower item, 0 = never, N = after items of levels < N)."""
    if level is None or level.restart is None:
        return True
    return level.restart > 0 and ilvl < level.restart


def _roman(n: int) -> str:
    pairs = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
             (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for value, letters in pairs:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """Render a list counter the way Word does for the common formats."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (max(n, 1) - 1) % 26) * ((max(n, 1) - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in _SYMBOL_FORMATS:
        return ""
    return str(n)


@dataclass
class Numbering:
    """numbering.xml plus the running counters of the document being read."""

    nums: dict[str, _Num] = field(default_factory=dict)
    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_links: dict[str, str] = field(default_factory=dict)  # abstractId -> numStyleLink
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    used_nums: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, root: etree._Element | None) -> Numbering:
        """Read ``numbering.xml``; ``None`` (no or unreadable part) gives no lists."""
        numbering = cls()
        if root is None:
            return numbering
        for abstract in root.iter(W + "abstractNum"):
            abstract_id = abstract.get(W + "abstractNumId") or ""
            levels = {}
            for lvl in abstract.findall(W + "lvl"):
                levels[to_int(lvl.get(W + "ilvl")) or 0] = _parse_level(lvl)
            numbering.abstracts[abstract_id] = levels
            link = w_val(abstract.find(W + "numStyleLink"))
            if link:
                numbering.style_links[abstract_id] = link
        for num in root.iter(W + "num"):
            abstract_id = w_val(num.find(W + "abstractNumId"))
            if abstract_id is None:
                continue
            entry = _Num(abstract_id=abstract_id)
            for override in num.findall(W + "lvlOverride"):
                ilvl = to_int(override.get(W + "ilvl")) or 0
                start = to_int(w_val(override.find(W + "startOverride")))
                if start is not None:
                    entry.start_overrides[ilvl] = start
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    # A replaced level's own w:start does not restart a shared
                    # counter in Word; only startOverride does.
                    entry.level_overrides[ilvl] = _parse_level(lvl)
            numbering.nums[num.get(W + "numId") or ""] = entry
        return numbering

    def _abstract_for(self, num: _Num, styles: Styles) -> str:
        """Follow a numStyleLink (list style) to the abstractNum that has levels."""
        abstract_id = num.abstract_id
        for _ in range(4):
            link = self.style_links.get(abstract_id)
            if not link:
                break
            linked = next((s for s in styles.chain(link) if s.num_id), None)
            target = self.nums.get(linked.num_id) if linked and linked.num_id else None
            if target is None or target.abstract_id == abstract_id:
                break
            abstract_id = target.abstract_id
        return abstract_id

    def _level(self, num: _Num, abstract_id: str, ilvl: int) -> _Level | None:
        return num.level_overrides.get(ilvl) or self.abstracts.get(abstract_id, {}).get(ilvl)

    def next_label(self, num_id: str, ilvl: int, styles: Styles) -> str | None:
        """Advance the counter of ``(num_id, ilvl)`` and render its label.

        Counters belong to the abstract list, so separate ``w:num`` instances of
        one list continue each other (as in Word) unless a ``startOverride``
        restarts them the first time that instance is used.
        """
        num = self.nums.get(num_id)
        if num is None:
            return None
        abstract_id = self._abstract_for(num, styles)
        level = self._level(num, abstract_id, ilvl)
        if level is None:
            return None
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.used_nums:
            self.used_nums.add(num_id)
            for lvl_index, start in num.start_overrides.items():
                counters[lvl_index] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            if _restarts(self._level(num, abstract_id, deeper), ilvl):
                del counters[deeper]
        if level.fmt in _SYMBOL_FORMATS:
            return None

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lvl = self._level(num, abstract_id, k) or _Level()
            # A skipped parent level shows (and from now on holds) its start value.
            value = counters.setdefault(k, lvl.start)
            return format_number(value, "decimal" if level.legal and k != ilvl else lvl.fmt)

        label = re.sub(r"%([1-9])", render, level.text).strip()
        return label or None
