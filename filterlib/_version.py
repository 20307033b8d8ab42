"""``filterlib.__version__``: the installed distribution's version, worked out on first use.

The version comes from the installed package's metadata (:mod:`importlib.metadata`). A source
checkout that was never installed has no metadata: the version is then read from the
``pyproject.toml`` beside the package, and is ``0+unknown`` when that is missing too. It is
looked up lazily (``filterlib.__getattr__``) because importing :mod:`importlib.metadata` and
reading the metadata cost about as much as a third of ``import filterlib`` itself.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["UNKNOWN", "module_getattr", "version"]

#: The version of a checkout with neither metadata nor a readable pyproject.toml.
UNKNOWN = "0+unknown"

_DISTRIBUTION = "filterlib"


@functools.cache
def version() -> str:
    """filterlib's version: the installed metadata's, else the checkout's pyproject.toml's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(_DISTRIBUTION)
    except PackageNotFoundError:
        return source_version(Path(__file__).resolve().parent.parent / "pyproject.toml")


def source_version(pyproject: Path) -> str:
    """The ``[project] version`` of ``pyproject`` if it is filterlib's, else :data:`UNKNOWN`."""
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return UNKNOWN
    name, value = project.get("name"), project.get("version")
    if name != _DISTRIBUTION or not isinstance(value, str):
        return UNKNOWN
    return value


def module_getattr(name: str) -> str:
    """The package's ``__getattr__``: ``__version__`` on first use, AttributeError otherwise."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'filterlib' has no attribute {name!r}")
