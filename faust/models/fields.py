"""Typed field descriptors with validation rules.

The descriptor of a field is picked from its annotation (see
:data:`TYPE_TO_FIELD`), or given explicitly as the field's default value
to set options::

    class Product(faust.Record, validation=True):
        name: str = StringField(min_length=1, max_length=64, trim_whitespace=True)
        price: Decimal = DecimalField(max_digits=10, max_decimal_places=2)
        stock: int = IntegerField(min_value=0, default=0)

Rules are checked by ``record.validate()`` (and at construction when the
model has ``validation=True``); each broken rule is reported as a
:exc:`~faust.exceptions.ValidationError` naming the field.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from faust.exceptions import ValidationError
from faust.utils import iso8601

from ._scalars import _bool
from .descriptors import (
    MISSING,
    TYPE_TO_FIELD,
    FieldDescriptor,
    field_for_type,
    register_builtin_prepare,
)
from .typing import Converter, Flags

__all__ = [
    "FieldDescriptor",
    "BooleanField",
    "NumberField",
    "IntegerField",
    "FloatField",
    "DecimalField",
    "CharField",
    "StringField",
    "BytesField",
    "DatetimeField",
    "MISSING",
    "TYPE_TO_FIELD",
    "field_for_type",
]

T = TypeVar("T")
CharacterType = TypeVar("CharacterType", str, bytes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class BooleanField(FieldDescriptor[bool]):
    """A ``bool`` field (coercion accepts ``"true"``/``"false"``, ``1``/``0``, ...)."""

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert to bool when coercing."""
        return _bool(value) if self.should_coerce(value, coerce) else value

    def validate(self, value: bool) -> Iterable[ValidationError]:
        """The value must be a bool."""
        if not isinstance(value, bool):
            yield self.validation_error(
                f"{self.field} must be True or False, of type bool"
            )


class NumberField(FieldDescriptor[T]):
    """Base of numeric fields.

    Arguments:
        max_value: largest value allowed (inclusive).
        min_value: smallest value allowed (inclusive).
    """

    def __init__(
        self,
        *,
        max_value: Any | None = None,
        min_value: Any | None = None,
        **kwargs: Any,
    ) -> None:
        self.max_value = max_value
        self.min_value = min_value
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def validate(self, value: T) -> Iterable[ValidationError]:
        """Check the value against ``min_value``/``max_value`` (0 is a valid limit)."""
        max_ = self.max_value
        if max_ is not None and value > max_:
            yield self.validation_error(f"{self.field} cannot be more than {max_}")
        min_ = self.min_value
        if min_ is not None and value < min_:
            yield self.validation_error(f"{self.field} must be at least {min_}")


class IntegerField(NumberField[int]):
    """An ``int`` field."""

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert with ``int()`` when coercing."""
        return int(value) if self.should_coerce(value, coerce) else value


class FloatField(NumberField[float]):
    """A ``float`` field."""

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert with ``float()`` when coercing."""
        return float(value) if self.should_coerce(value, coerce) else value


class DecimalField(NumberField[Decimal]):
    """A :class:`~decimal.Decimal` field.

    Arguments:
        max_digits: most digits allowed before the decimal point (as in Faust:
            ``12345.67`` has 5); digits after the point are limited by
            ``max_decimal_places`` only.
        max_decimal_places: most digits allowed after the point.
    """

    def __init__(
        self,
        *,
        max_digits: int | None = None,
        max_decimal_places: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.max_digits = max_digits
        self.max_decimal_places = max_decimal_places
        super().__init__(
            max_digits=max_digits, max_decimal_places=max_decimal_places, **kwargs
        )

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert to Decimal when coercing (floats through their repr)."""
        if self.should_coerce(value, coerce) and not isinstance(value, Decimal):
            return Decimal(repr(value) if isinstance(value, float) else value)
        return value

    def validate(self, value: Decimal) -> Iterable[ValidationError]:
        """Reject NaN/infinity, then check digits, places and the range."""
        if not value.is_finite():
            yield self.validation_error(f"Illegal value in decimal: {value!r}")
            return
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)  # finite decimals have an int exponent
        places = -exponent if exponent < 0 else 0
        mdp = self.max_decimal_places
        if mdp is not None and places > mdp:
            yield self.validation_error(
                f"{self.field} must have at most {_plural(mdp, 'decimal place')}."
            )
        max_digits = self.max_digits
        if max_digits is not None:
            # Digits of the integer part: 1E+5 has 6, 0.05 has none.
            if len(digits) + exponent > max_digits:
                yield self.validation_error(
                    f"{self.field} must have at most {_plural(max_digits, 'digit')}."
                )
        yield from super().validate(value)


class CharField(FieldDescriptor[CharacterType], Generic[CharacterType]):
    """Base of text fields.

    Arguments:
        max_length: longest value allowed.
        min_length: shortest value allowed.
        trim_whitespace: strip leading/trailing whitespace from values.
        allow_blank: allow the empty value.
    """

    def __init__(
        self,
        *,
        max_length: int | None = None,
        min_length: int | None = None,
        trim_whitespace: bool = False,
        allow_blank: bool = False,
        **kwargs: Any,
    ) -> None:
        self.max_length = max_length
        self.min_length = min_length
        self.trim_whitespace = trim_whitespace
        self.allow_blank = allow_blank
        super().__init__(
            max_length=max_length,
            min_length=min_length,
            trim_whitespace=trim_whitespace,
            allow_blank=allow_blank,
            **kwargs,
        )

    def _extra_converter(self) -> Converter | None:
        if not self.trim_whitespace:
            return None

        def trim(v: Any) -> Any:
            return v.strip() if isinstance(v, (str, bytes)) else v

        return trim

    def validate(self, value: CharacterType) -> Iterable[ValidationError]:
        """Check blankness and length."""
        length = len(value)
        if not self.allow_blank and not length:
            yield self.validation_error(f"{self.field} cannot be left blank")
        min_ = self.min_length
        if min_ is not None and length < min_:
            yield self.validation_error(
                f"{self.field} must have at least {_plural(min_, 'character')}"
            )
        max_ = self.max_length
        if max_ is not None and length > max_:
            yield self.validation_error(
                f"{self.field} must have at most {_plural(max_, 'character')}"
            )


class StringField(CharField[str]):
    """A ``str`` field."""

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert with ``str()`` when coercing (and trim if asked)."""
        if self.should_coerce(value, coerce) and not isinstance(value, str):
            value = str(value)
        if self.trim_whitespace and isinstance(value, str):
            return value.strip()
        return value


class BytesField(CharField[bytes]):
    """A ``bytes`` field.

    Arguments:
        encoding: used to encode ``str`` values when coercing.
        errors: encoding error handling (``"strict"``).
    """

    encoding: str = sys.getdefaultencoding()
    errors: str = "strict"

    def __init__(
        self,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        **kwargs: Any,
    ) -> None:
        if encoding is not None:
            self.encoding = encoding
        if errors is not None:
            self.errors = errors
        super().__init__(encoding=self.encoding, errors=self.errors, **kwargs)

    def on_model_attached(
        self, flags: Flags | None = None, load_flags: Flags | None = None
    ) -> None:
        """Compile converters; encoding ``str`` is left to :meth:`prepare_value`."""
        super().on_model_attached(flags, load_flags)
        self._init_conv = self._bytes_converter(self._init_conv)
        self._load_conv = self._bytes_converter(self._load_conv)

    def _bytes_converter(self, conv: Converter | None) -> Converter | None:
        if conv is None or not self.coerce:
            return conv
        encoding, errors = self.encoding, self.errors

        def encode_then(v: Any) -> Any:
            if isinstance(v, str):
                v = v.encode(encoding, errors)
            return conv(v)

        return encode_then

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Encode ``str`` values when coercing (and trim if asked)."""
        if self.should_coerce(value, coerce) and isinstance(value, str):
            value = value.encode(self.encoding, self.errors)
        if self.trim_whitespace and isinstance(value, bytes):
            return value.strip()
        return value


class DatetimeField(FieldDescriptor[datetime]):
    """A :class:`~datetime.datetime` field; strings are parsed with ``date_parser``."""

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Parse strings when coercing."""
        if self.should_coerce(value, coerce) and isinstance(value, str):
            if self.date_parser is not None:
                return self.date_parser(value)
            options = getattr(self.model, "_options", None)
            parser = getattr(options, "date_parser", None) or iso8601.parse
            return parser(value)
        return value


register_builtin_prepare(
    BooleanField.prepare_value,
    IntegerField.prepare_value,
    FloatField.prepare_value,
    DecimalField.prepare_value,
    StringField.prepare_value,
    DatetimeField.prepare_value,
)

TYPE_TO_FIELD.update(
    {
        bool: BooleanField,
        int: IntegerField,
        float: FloatField,
        Decimal: DecimalField,
        str: StringField,
        bytes: BytesField,
        datetime: DatetimeField,
    }
)

_ = MISSING  # re-exported
