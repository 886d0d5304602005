"""``python -m fsltheory …`` is the ``fsltheory`` command."""

import sys

from .cli import main

sys.exit(main())
