"""``python -m pdkit.cli``: the ``pdkit`` command."""

import sys

from . import main

sys.exit(main())
