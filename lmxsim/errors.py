"""Errors raised for bad input.

Every input error names the field, the value given and what is allowed, so that the
command line can print it as one clear line and exit with code 2.
"""

from __future__ import annotations


MAX_SHOWN = 240   # characters of a rejected value's repr a message shows (a long path stays whole)


def shown(value: object) -> str:
    """``repr(value)``, cut to about :data:`MAX_SHOWN` characters: a pasted 100,000-character
    string is named by its start and its length, not echoed whole."""
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN - 20]}... ({len(text):,} characters)"


class LMXInputError(ValueError):
    """A user-supplied value is not allowed.

    Attributes:
        field: the name of the parameter, option or key at fault.
        value: the value that was given.
        allowed: a short description of what is allowed.
    """

    def __init__(self, field: str, value: object, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}={shown(value)} is not allowed: {allowed}")

    def sentence(self) -> str:
        """The error as a page shows it: ``field: value is not allowed — what is allowed.``"""
        return f"{self.field}: {shown(self.value)} is not allowed — {self.allowed}."

    def __reduce__(self):
        # the default pickles ``self.args`` (one message) and calls __init__ with it, which
        # needs three arguments: errors raised in worker processes must survive the trip back
        return (type(self), (self.field, self.value, self.allowed))
