"""Tags: mark fields that hold personal or secret data.

Annotate a field with a tag to keep its value out of logs and tracebacks::

    class Account(faust.Record):
        username: str
        password: Secret[str]        # str() gives '***********'
        ssn: Sensitive[str]          # str()/format() raise SecurityError
        email: Personal[str]         # str()/format() raise SecurityError

The attribute then holds a tag object wrapping the value;
``tag.get_value()`` returns the value itself.  Serialization (``dumps``,
``__json__``) writes the real value: tags guard against accidental
display, not against sending the data to a topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from faust.exceptions import SecurityError

__all__ = [
    "Tag",
    "OpaqueTag",
    "TransparentTag",
    "Personal",
    "Secret",
    "Sensitive",
    "allow_protected_vars",
]

T = TypeVar("T")


class Tag(Generic[T]):
    """Base class of tags: wraps a value and controls how it is shown.

    Arguments:
        value: the wrapped value (may not itself be a tag).
        field: name of the model field holding the value.
    """

    is_secret: bool = False
    is_sensitive: bool = False
    is_personal: bool = False

    __slots__ = ("_value", "field")

    def __init__(self, value: T, *, field: str | None = None) -> None:
        if isinstance(value, Tag):
            raise SecurityError("Cannot wrap: value is already tagged")
        self._value = value
        self.field = field

    @property
    def value(self) -> T:
        """The wrapped value (the same as :meth:`get_value`)."""
        return self._value

    def get_value(self) -> T:
        """Return the wrapped value."""
        return self._value

    def __json__(self) -> Any:
        return self._value

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Tag):
            return type(other) is type(self) and bool(other._value == self._value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self._value))

    def __lt__(self, other: Any) -> bool:
        if type(other) is type(self):
            return bool(self._value < other._value)  # type: ignore[operator]  # T may order
        return NotImplemented

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.field}@{id(self):#x}>"

    def __str__(self) -> str:  # pragma: no cover - every tag overrides it
        raise NotImplementedError

    def __format__(self, format_spec: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class OpaqueTag(Tag[T]):
    """A tag whose value may never be turned into text."""

    __slots__ = ()

    def __str__(self) -> str:
        raise SecurityError(
            f"Attempt to use {type(self).__name__} data as a string "
            f"(field {self.field!r}): call .get_value() if you really mean it"
        )

    def __format__(self, format_spec: str) -> str:
        return self.__str__()


class TransparentTag(Tag[T]):
    """A tag shown as a replacement text (see :class:`Secret`)."""

    __slots__ = ()

    def _prepare_value(self) -> Any:
        return self._value

    def __str__(self) -> str:
        return str(self._prepare_value())

    def __format__(self, format_spec: str) -> str:
        return format(self._prepare_value(), format_spec)


class Personal(OpaqueTag[T]):
    """Personally identifiable information (email, name, address, ...)."""

    is_personal = True
    __slots__ = ()


class Sensitive(OpaqueTag[T]):
    """Sensitive data (social security numbers, card numbers, ...)."""

    is_sensitive = True
    __slots__ = ()


class Secret(TransparentTag[T]):
    """A secret (password, token): shown as :attr:`mask`."""

    is_secret = True
    mask: str = "***********"
    __slots__ = ()

    def _prepare_value(self) -> Any:
        return self.mask


@contextmanager
def allow_protected_vars() -> Iterator[None]:
    """Kept for compatibility: values are read with ``tag.get_value()``."""
    yield
