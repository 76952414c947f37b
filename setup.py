"""Build the Cython hot loops in ``cext/``.

The extensions are optional by default so that a machine without a compiler still gets a working
(pure-Python) install; ``CDEV_TUI_REQUIRE_EXT=1`` makes a failed build an error (CI sets it).
"""

import os

from Cython.Build import cythonize
from setuptools import Extension, setup

REQUIRE = os.environ.get("CDEV_TUI_REQUIRE_EXT") == "1"

extensions = [
    Extension("cdev_tui.cext._linescan", ["cext/_linescan.pyx"], optional=not REQUIRE),
    Extension("cdev_tui.cext._diff", ["cext/_diff.pyx"], optional=not REQUIRE),
    Extension("cdev_tui.cext._prefilter", ["cext/_prefilter.pyx"], optional=not REQUIRE),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        quiet=True,
    ),
)
