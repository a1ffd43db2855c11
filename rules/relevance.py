"""Rule family placeholder: filled in by its issue; registers no rule yet."""

from __future__ import annotations

from refcheck.plugins import hookimpl


@hookimpl
def refcheck_get_rules() -> list:
    return []
