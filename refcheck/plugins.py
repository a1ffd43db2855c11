"""The plugin manager: hook specs, built-ins and third-party plugins, all one route."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pluggy

from refcheck import hookspecs

if TYPE_CHECKING:
    from refcheck.rule import Rule

PROJECT = "refcheck"
hookimpl = pluggy.HookimplMarker(PROJECT)


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """Build the manager once per process.

    Built-in rule families, readers and reporters are listed in our own
    ``[project.entry-points.refcheck]`` and so load through exactly the same
    ``load_setuptools_entrypoints`` call as any third-party plugin.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints(PROJECT)
    if not pm.get_plugins():
        raise RuntimeError(
            "refcheck's built-in plugins are not registered: install the package "
            "(pip install -e .) so its entry points exist"
        )
    return pm


def all_rules() -> list[type[Rule]]:
    """Every rule class registered by any plugin, sorted by code."""
    rules: dict[str, type[Rule]] = {}
    for family in get_plugin_manager().hook.refcheck_get_rules():
        for cls in family:
            rules[cls.code] = cls
    return [rules[c] for c in sorted(rules)]
