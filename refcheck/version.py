"""refcheck's version, from the installed package's metadata.

A module of its own so that reporters and the online client can name the version
without importing the package's public API (and, through it, the engine).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("refcheck")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"
