"""``python -m aionvision_cloud.cli``: the console script, for a venv without its entry point."""

import sys

from . import main

sys.exit(main())
