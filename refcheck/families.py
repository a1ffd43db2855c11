"""Rule families as reports group them, read from the registered plugins.

Batch's ``summary.csv``, the HTML report and ``--statistics`` show one column or bar
per family.  The families come from the plugins (``refcheck_rule_families``) and from
the registered rules themselves, never from a list in the code, so a third-party
family gets its column the moment it is installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from refcheck.rule import Family, Rule, family_of


def declared_families() -> list[Family]:
    """Every family a plugin declares, the first declaration of a prefix winning."""
    from refcheck.plugins import get_plugin_manager

    out: dict[str, Family] = {}
    for families in get_plugin_manager().hook.refcheck_rule_families():
        for fam in families or ():
            out.setdefault(fam.prefix, fam)
    return list(out.values())


def rule_families(rules: Iterable[type[Rule]] | None = None) -> list[Family]:
    """The families of the registered rules (those with at least one rule), by prefix."""
    if rules is None:
        from refcheck.plugins import all_rules

        rules = all_rules()
    declared = declared_families()
    found = {fam.prefix: fam for fam in (family_of(r.code, declared) for r in rules)}
    return [found[p] for p in sorted(found)]
