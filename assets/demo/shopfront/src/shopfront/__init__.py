"""shopfront: a small web shop backend."""

__version__ = "0.4.0"

__all__ = ["__version__"]
