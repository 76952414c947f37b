"""Customer authentication and permissions."""

from shopfront.auth.passwords import hash_password, verify_password
from shopfront.auth.permissions import Permission, can

__all__ = ["Permission", "can", "hash_password", "verify_password"]
