#!/usr/bin/env bash
# For maintainers (`make i18n`): extract pdkit's own words from the source into the
# template catalog (src/pdkit/locale/pdkit.pot), update every language's catalog
# (<lang>/LC_MESSAGES/pdkit.po) from it, then compile them (.mo, build output).
# A word is extracted (scripts/extract_messages.py, with Babel) where it is written as t("…") or marked N_("…") (pdkit.i18n),
# and in the report's Jinja templates as {% trans %}…{% endtrans %} or _("…") (Jinja2's Babel extractor).
# To add a language: `scripts/i18n.sh init <lang>`, translate its pdkit.po, run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
PYTHON=${PYTHON:-.venv/bin/python}
LOCALE=src/pdkit/locale


if [ "${1:-}" = "init" ]; then
  "$PYBABEL" init --input-file="$LOCALE/pdkit.pot" --output-dir="$LOCALE" --domain=pdkit --locale="$2"
  exit 0
fi
"$PYTHON" scripts/extract_messages.py "$LOCALE/pdkit.pot"
"$PYBABEL" update --input-file="$LOCALE/pdkit.pot" --output-dir="$LOCALE" --domain=pdkit \
  --ignore-pot-creation-date
"$PYTHON" scripts/compile_catalogs.py
