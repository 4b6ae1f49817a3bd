"""Accessibility checks a browser test runs on a page."""

from __future__ import annotations

from typing import Any


def unlabelled(page: Any) -> list[str]:
    """Inputs and buttons of the page that have no accessible name."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
          '.pdkit-app input, .pdkit-app textarea, .pdkit-app button, .pdkit-app select'
        )].filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const named = (el.getAttribute('aria-label') || '').trim() ||
            (el.labels && [...el.labels].some((l) => l.textContent.trim())) ||
            (el.textContent || '').trim() || (el.getAttribute('title') || '').trim();
          return !named;
        }).map((el) => el.outerHTML.slice(0, 120))"""
    )
    return found
