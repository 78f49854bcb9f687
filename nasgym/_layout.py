"""Where the repository's top-level ``agents/`` and ``envs/`` folders live: ``nasgym.agents`` and ``nasgym.envs``.

A wheel installs them inside the package (``pyproject.toml`` maps them with ``package-dir``), and an editable
install maps them with setuptools' own import hook. A bare source checkout (``PYTHONPATH=.``, or a copy of the tree
whose editable hook points elsewhere) has neither, so :func:`install_checkout_finder` adds a small import hook that
resolves the two names to the folders next to ``nasgym/``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MAPPED = {"nasgym.agents": "agents", "nasgym.envs": "envs"}


def data_dir(name: str) -> Path:
    """The folder of ``nasgym.<name>`` (``agents`` or ``envs``): inside the package when installed from a wheel,
    else the repository's top-level folder."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


class CheckoutFinder(importlib.abc.MetaPathFinder):
    """Resolves ``nasgym.agents`` / ``nasgym.envs`` to the checkout's top-level folders (last on ``sys.meta_path``)."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        """The spec of ``nasgym.agents`` / ``nasgym.envs`` from the checkout; ``None`` for any other name."""
        folder = MAPPED.get(fullname)
        init = PACKAGE_DIR.parent / folder / "__init__.py" if folder else None
        if init is None or not init.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, init, submodule_search_locations=[str(init.parent)])


def install_checkout_finder() -> None:
    """Add :class:`CheckoutFinder` once, in a source checkout only (a wheel ships ``nasgym/agents`` itself)."""
    if (PACKAGE_DIR / "agents").is_dir() or any(isinstance(f, CheckoutFinder) for f in sys.meta_path):
        return
    sys.meta_path.append(CheckoutFinder())
