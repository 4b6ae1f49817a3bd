"""Compile pdkit's gettext catalogs: every ``src/pdkit/locale/<lang>/LC_MESSAGES/pdkit.po``
to the ``pdkit.mo`` beside it, with Babel.

The .mo files are build output (git ignores them): the wheel's build hook
(``hatch_build.py``) and ``scripts/setup.sh`` (for an editable install) run this; at run
time pdkit reads them with the standard library's ``gettext``. A fuzzy or empty entry is
left out of the .mo (its English shows), as ``pybabel compile`` does.

    python scripts/compile_catalogs.py [root]
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCALE = Path("src", "pdkit", "locale")
DOMAIN = "pdkit"


def compile_catalogs(root: Path) -> list[Path]:
    """Compile each catalog under ``root``; the .mo files written (relative to ``root``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((root / LOCALE).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parents[1].name, domain=DOMAIN)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo.relative_to(root))
    return written


if __name__ == "__main__":
    here = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for path in compile_catalogs(here):
        print(f"compiled {path}")
