"""The XML namespaces of Office Open XML, and the two attribute helpers every part needs.

Why one module: the reader, the Word-comment writer and the renumbering fix all
address the same WordprocessingML vocabulary; one spelling of each namespace (and
of the ``{uri}`` prefix lxml tags carry) keeps them comparing the same tags.
"""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL_OFFICE_DOCUMENT = R_NS + "/officeDocument"

#: lxml tag prefixes (``W + "p"`` is a WordprocessingML paragraph).
W = f"{{{W_NS}}}"
M = f"{{{M_NS}}}"
MC = f"{{{MC_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w_val(element: etree._Element | None, attr: str = "val") -> str | None:
    """The ``w:``-namespaced attribute ``attr`` of ``element``; None when either is missing.

    Why: WordprocessingML puts almost every setting in an optional child's
    ``w:val``, so callers chain ``w_val(el.find(...))`` without a None check each.
    """
    if element is None:
        return None
    return element.get(W + attr)


def to_int(value: str | None) -> int | None:
    """``value`` as an int, or None when absent or not a number.

    Why: documents from many writers carry malformed numbers (levels, positions);
    an unreadable one means "not set", never an error.
    """
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
