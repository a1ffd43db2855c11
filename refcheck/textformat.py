"""Text-format conventions the reader and the writers must agree on.

The Markdown reader skips a YAML metadata block and the CriticMarkup writer must not
put a comment inside one; both ask here, so neither imports the other.
"""

from __future__ import annotations

import re

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)\s*$")
_FRONT_MATTER_MAX_LINES = 1000


def front_matter_lines(text: str) -> int:
    """Lines taken by a YAML metadata block that opens the file (pandoc, Quarto, R
    Markdown, Jekyll: ``---`` … ``---`` or ``...``), closing line included; 0 if none."""
    lines = text.split("\n", _FRONT_MATTER_MAX_LINES + 1)
    if not lines or lines[0].rstrip() != "---" or len(lines) < 3 or not lines[1].strip():
        return 0
    for k in range(1, min(len(lines), _FRONT_MATTER_MAX_LINES)):
        if _FRONT_MATTER_END.match(lines[k]):
            return k + 1
    return 0
