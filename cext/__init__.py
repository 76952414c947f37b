"""Compiled hot loops, each with a pure-Python twin.

Every hot loop lives in three modules:

- ``_<name>.pyx``: the Cython implementation, built by ``setup.py`` into ``_<name>`` (with a ``.pyi`` stub);
- ``_<name>_py.py``: the pure-Python twin with the same signatures and identical results;
- ``<name>.py``: the dispatcher that the rest of the app imports. It binds the compiled functions unless
  ``CDEV_TUI_PURE=1`` is set, falls back to the twin when the extension was not built, and raises
  ``ImportError`` instead when ``CDEV_TUI_REQUIRE_EXT=1`` is set (CI sets it so a broken build cannot hide).
  It exposes ``IMPLEMENTATION`` (``"compiled"`` or ``"pure"``) so tests can prove which path is live.

The environment is read once, when the dispatcher is first imported. Tests import both implementations
directly and check that they agree.
"""
