"""``python -m pdkit``: the ``pdkit`` command."""

import sys

from .cli import main

sys.exit(main())
