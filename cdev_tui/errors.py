"""Errors that reach the user as one clear line (and exit code 2 on the CLI)."""


class CdevError(Exception):
    """Bad input or environment: the message names the file or thing and what is wrong."""


class NotAGitRepoError(CdevError):
    """The path given is not inside a git repository."""
