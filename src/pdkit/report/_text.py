"""Values as the report shows them: missing values, days, and :func:`text`, the one
escaping rule for everything printed (see :func:`pdkit.charts.escape_text`).

:func:`trusted` is the one place where a string becomes ``Markup`` (printed by the
templates as it is): only for HTML that pdkit built, every text in it escaped."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from markupsafe import Markup

from ..charts import escape_text


def missing(value: object) -> bool:
    """None, pandas' NA and NaT, and NaN."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def text(value: object) -> str:
    """``value`` as HTML text: escaped, with ``=`` and ``:`` encoded too (see module docs).
    Missing values (None, NA, NaT) are empty."""
    if type(value) is str:  # most values: no need to ask whether they are missing
        return escape_text(value)
    if missing(value):
        return ""
    return escape_text(str(value))


def plain(value: object) -> str:
    """``value`` as a plain string for a template ("" when missing)."""
    if type(value) is str:
        return value
    return "" if missing(value) else str(value)


def day(moment: Any) -> str:
    """A moment as ``YYYY-MM-DD`` ("" when missing)."""
    if missing(moment):
        return ""
    return pd.Timestamp(moment).strftime("%Y-%m-%d")


def trusted(html: str) -> Markup:
    """``html`` that pdkit built itself, every text in it through :func:`text` (a chart, or
    text already escaped), to be printed as it is."""
    return Markup(html)  # noqa: S704 (never user text: see the docstring)
