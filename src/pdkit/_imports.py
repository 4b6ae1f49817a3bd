"""Optional packages, imported where they are needed and named when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["require"]


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
