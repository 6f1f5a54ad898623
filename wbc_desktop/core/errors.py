"""User-facing errors: one clear line naming the file and the problem, never a traceback."""

from __future__ import annotations


class WbcError(Exception):
    """An error whose message is fit to show a user as it is."""


class InputError(WbcError):
    """An input file that cannot be used (unreadable, truncated, wrong size...)."""


class ModelError(WbcError):
    """A model that cannot be found or loaded."""


class Cancelled(WbcError):
    """Long work stopped because the user asked it to."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
