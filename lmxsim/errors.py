"""Errors raised for bad input.

Every input error names the field, the value given and what is allowed, so that the
command line can print it as one clear line and exit with code 2.
"""

from __future__ import annotations


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
        super().__init__(f"{field}={value!r} is not allowed: {allowed}")

    def __reduce__(self):
        # the default pickles ``self.args`` (one message) and calls __init__ with it, which
        # needs three arguments: errors raised in worker processes must survive the trip back
        return (type(self), (self.field, self.value, self.allowed))
