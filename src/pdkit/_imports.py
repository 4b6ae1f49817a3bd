"""Optional packages, imported where they are needed and named when they are missing;
and parts of pdkit a participant's page never uses, imported when first asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from .errors import MissingDependencyError

__all__ = ["lazy", "require"]


def require(
    module: str,
    *,
    why: str,
    package: str,
    extra: str | None = None,
    error: type[MissingDependencyError] = MissingDependencyError,
) -> ModuleType:
    """Import ``module``, or raise ``error`` saying ``why`` it is needed (``"Excel tables
    need openpyxl"``) and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        how = f"pip install '{package}'"
        if extra is not None:
            how += f" (or install pdkit with its extra: pip install 'jupyter-pdkit[{extra}]')"
        raise error(f"{why}, which is not installed: {how}", package=package, extra=extra) from None


def lazy(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``where`` is imported from
    its module (relative to ``package``) the first time it is asked for. A participant's
    page imports ``pdkit.app`` in every new kernel; the coach's and the facilitator's
    pages stay out of that start-up until a page of theirs asks for them."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    return __getattr__
