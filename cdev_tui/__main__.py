"""``python -m cdev_tui``."""

import sys

from cdev_tui.cli import main

sys.exit(main())
