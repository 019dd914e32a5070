from datetime import datetime, timezone
from decimal import Decimal

import pytest

from faust.exceptions import ValidationError
from faust.models import Record
from faust.models.fields import (
    BooleanField,
    BytesField,
    CharField,
    DatetimeField,
    DecimalField,
    FieldDescriptor,
    FloatField,
    IntegerField,
    StringField,
    field_for_type,
)
from faust.models.tags import Secret


def errors(model):
    return [str(e) for e in model.validate()]


class TestFieldForType:
    @pytest.mark.parametrize(
        "typ,field",
        [
            (bool, BooleanField),
            (int, IntegerField),
            (float, FloatField),
            (Decimal, DecimalField),
            (str, StringField),
            (bytes, BytesField),
            (datetime, DatetimeField),
            (list, FieldDescriptor),
        ],
    )
    def test_builtin(self, typ, field):
        assert field_for_type(typ) == (field, None)

    def test_subclass_and_optional(self):
        class MyInt(int):
            pass

        assert field_for_type(MyInt)[0] is IntegerField
        assert field_for_type(int | None)[0] is IntegerField

    def test_tag(self):
        assert field_for_type(Secret[str]) == (StringField, Secret)


class TestIntegerField:
    class Model(Record, validation=True):
        n: int = IntegerField(min_value=0, max_value=10, default=0)

    @pytest.mark.parametrize("value", [0, 5, 10, "7"])
    def test_valid(self, value):
        assert self.Model(n=value).n == int(value)

    @pytest.mark.parametrize(
        "value,message",
        [(-1, "n must be at least 0"), (11, "n cannot be more than 10")],
    )
    def test_invalid(self, value, message):
        with pytest.raises(ValidationError, match=message) as excinfo:
            self.Model(n=value)
        assert excinfo.value.field is self.Model.n
        assert repr(excinfo.value) == f"<ValidationError: Model.n: {message!r}>"

    def test_zero_limits_are_honoured(self):
        # Faust bug #36: a limit of 0 was ignored (truthiness test).
        class Zero(Record):
            n: int = IntegerField(max_value=0)

        assert errors(Zero(1)) == ["n cannot be more than 0"]
        assert Zero(0).is_valid()

    def test_not_a_number(self):
        with pytest.raises(ValidationError, match="Model.n: invalid literal for int"):
            self.Model(n="x")

    def test_validate_without_validation_option(self):
        class Loose(Record):
            n: int = IntegerField(min_value=1)

        obj = Loose(n="abc")  # no coercion, no validation at construction
        assert obj.n == "abc"
        assert not obj.is_valid()
        assert "n is not correct type" in errors(obj)[0]


class TestFloatField:
    def test_range_and_coercion(self):
        class M(Record, coerce=True):
            f: float = FloatField(min_value=0.5, default=1.0)

        assert M(f="2.5").f == 2.5
        assert errors(M(f=0.1)) == ["f must be at least 0.5"]


class TestDecimalField:
    class Money(Record, validation=True):
        amount: Decimal = DecimalField(max_digits=5, max_decimal_places=2)

    @pytest.mark.parametrize(
        "value",
        ["123.45", "0.01", "99999", "12345.6", Decimal("1E+2"), 12.5],
    )
    def test_valid(self, value):
        m = self.Money(value)
        assert isinstance(m.amount, Decimal)

    @pytest.mark.parametrize(
        "value,message",
        [
            ("1.234", "amount must have at most 2 decimal places."),
            ("123456.7", "amount must have at most 5 digits."),
            ("-123456", "amount must have at most 5 digits."),
            (Decimal("1E+5"), "amount must have at most 5 digits."),
        ],
    )
    def test_invalid(self, value, message):
        with pytest.raises(ValidationError, match=message):
            self.Money(value)

    @pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
    def test_non_finite_is_a_validation_error(self, value):
        # Faust bug #36: NaN with limits raised TypeError.
        class Loose(Record):
            amount: Decimal = DecimalField(max_digits=5, max_decimal_places=2)

        obj = Loose(Decimal(value))
        assert errors(obj) == [
            f"Illegal value in decimal: Decimal('{value}')"
        ] or errors(obj)[0].startswith("Illegal value in decimal")
        with pytest.raises(ValidationError, match="Illegal value"):
            self.Money(Decimal(value))

    def test_max_digits_counts_the_integer_part_only(self):
        # As in Faust: digits after the point are max_decimal_places' concern,
        # so a Decimal made from a float (many places) passes max_digits.
        class Price(Record, validation=True):
            amount: Decimal = DecimalField(max_digits=5)

        assert Price(Decimal("12345.67")).amount == Decimal("12345.67")
        assert Price(Decimal(1.1)).amount == Decimal(1.1)
        assert Price(Decimal("0.000001")).is_valid()
        with pytest.raises(ValidationError, match="at most 5 digits"):
            Price(Decimal("123456"))

    def test_coerce_float_uses_repr(self):
        class M(Record, coerce=True):
            d: Decimal

        assert M(0.1).d == Decimal("0.1")
        assert M(3).d == Decimal(3)
        assert M.from_data({"d": 0.1}).d == Decimal("0.1")


class TestStringField:
    def test_lengths_and_blank(self):
        class Name(Record):
            name: str = StringField(min_length=2, max_length=4)

        assert errors(Name("")) == [
            "name cannot be left blank",
            "name must have at least 2 characters",
        ]
        assert errors(Name("a")) == ["name must have at least 2 characters"]
        # Faust bug #36: the max message said "must be at least".
        assert errors(Name("abcde")) == ["name must have at most 4 characters"]
        assert Name("abc").is_valid()

    def test_singular_message(self):
        class One(Record):
            c: str = StringField(max_length=1)

        assert errors(One("ab")) == ["c must have at most 1 character"]

    def test_allow_blank(self):
        class Blank(Record):
            s: str = StringField(allow_blank=True)

        assert Blank("").is_valid()

    def test_trim_whitespace(self):
        class Trim(Record):
            s: str = StringField(trim_whitespace=True)

        assert Trim("  a b ").s == "a b"
        assert Trim.from_data({"s": "\tx\n"}).s == "x"
        t = Trim("x")
        assert t.s == "x"

    def test_coerce(self):
        class Coerce(Record, coerce=True):
            s: str

        assert Coerce(12).s == "12"
        c = Coerce("a")
        c.s = 5
        assert c.s == "5"

    def test_charfield_is_the_base(self):
        assert issubclass(StringField, CharField)


class TestBytesField:
    def test_coerce_encoding(self):
        class B(Record, coerce=True):
            data: bytes = BytesField(encoding="latin-1", max_length=3)

        assert B("é").data == "é".encode("latin-1")
        assert B.from_data({"data": "ab"}).data == b"ab"
        assert errors(B(b"abcd")) == ["data must have at most 3 characters"]

    def test_trim(self):
        class B(Record):
            data: bytes = BytesField(trim_whitespace=True)

        assert B(b" x ").data == b"x"


class TestBooleanField:
    @pytest.mark.parametrize(
        "value,expected",
        [
            (True, True),
            ("true", True),
            ("False", False),
            ("0", False),
            (1, True),
            (0, False),
            ("yes", True),
        ],
    )
    def test_coerce(self, value, expected):
        class Flag(Record, coerce=True):
            on: bool

        assert Flag(value).on is expected

    def test_bad_string(self):
        class Flag(Record, coerce=True):
            on: bool

        with pytest.raises(ValueError, match="Flag.on: not a boolean: 'maybe'"):
            Flag("maybe")

    def test_validate_type(self):
        class Flag(Record):
            on: bool

        assert BooleanField(field="on").validate("x") is not None
        assert [str(e) for e in Flag.on.validate("x")] == [
            "on must be True or False, of type bool"
        ]


class TestDatetimeField:
    def test_isodates_on_load_only(self):
        class Event(Record, isodates=True):
            at: datetime

        e = Event.from_data({"at": "2020-01-01T00:00:00Z"})
        assert e.at == datetime(2020, 1, 1, tzinfo=timezone.utc)
        assert Event(at="2020-01-01").at == "2020-01-01"  # as in Faust

    def test_coerce_parses_everywhere(self):
        class Event(Record, coerce=True):
            at: datetime

        assert Event("2020-01-01T10:00:00").at == datetime(2020, 1, 1, 10)

    def test_field_date_parser(self):
        def parse(s):
            return datetime.strptime(s, "%d/%m/%Y")

        class Event(Record, isodates=True):
            at: datetime = DatetimeField(date_parser=parse)

        assert Event.from_data({"at": "02/01/2020"}).at == datetime(2020, 1, 2)

    def test_model_date_parser(self):
        class Event(Record, coerce=True, date_parser=lambda s: datetime(1999, 1, 1)):
            at: datetime

        assert Event("whatever").at == datetime(1999, 1, 1)
        assert Event.at.prepare_value("x", coerce=True) == datetime(1999, 1, 1)

    def test_bad_date(self):
        class Event(Record, isodates=True):
            at: datetime

        with pytest.raises(
            ValueError, match="Event.at: not an ISO-8601 date/time: 'soon'"
        ):
            Event.from_data({"at": "soon"})


class TestExcludeAndNames:
    class Doc(Record, serializer="json"):
        id: str
        in_: str = StringField(input_name="in", default="")
        out: str = StringField(output_name="OUT", default="")
        internal: str = StringField(exclude=True, default="secret")

    def test_asdict_and_dumps(self):
        doc = self.Doc("1", in_="i", out="o", internal="x")
        assert doc.asdict() == {"id": "1", "in": "i", "OUT": "o"}
        assert doc.to_representation()["__faust"] == {"ns": self.Doc._options.namespace}
        assert b"internal" not in doc.dumps()
        assert doc.internal == "x"

    def test_loading_names(self):
        doc = self.Doc.loads(b'{"id":"1","in":"i","out":"o","internal":"given"}')
        assert (doc.in_, doc.out, doc.internal) == ("i", "o", "given")
        assert self.Doc.in_.input_name == "in"
        assert self.Doc.in_.output_name == "in"
        assert self.Doc.out.output_name == "OUT"

    def test_roundtrip(self):
        doc = self.Doc("1", in_="i", out="o")
        back = self.Doc.loads(doc.dumps())
        assert back.in_ == "i"


class TestCustomField:
    def test_custom_prepare_and_validate(self):
        class Upper(FieldDescriptor[str]):
            def prepare_value(self, value, *, coerce=None):
                return value.upper() if isinstance(value, str) else value

            def validate(self, value):
                if "!" in value:
                    yield self.validation_error(f"{self.field} must not shout")

        class Msg(Record):
            text: str = Upper()

        assert Msg("hi").text == "HI"
        assert Msg.from_data({"text": "yo"}).text == "YO"
        assert errors(Msg("x!")) == ["text must not shout"]
        assert isinstance(Msg.text, Upper)

    def test_prepare_value_failing_is_a_validation_error(self):
        class Lookup(FieldDescriptor[str]):
            codes = {"de": "Germany"}

            def prepare_value(self, value, *, coerce=None):
                return self.codes[value] if coerce else value

        class Country(Record):
            code: str = Lookup()

        bad = Country("xx")
        (error,) = bad.validation_errors
        assert isinstance(error, ValidationError)
        assert error.field is Country.code
        assert "code: Lookup.prepare_value failed for 'xx': KeyError" in str(error)
        assert not bad.is_valid()
        assert Country("de").validation_errors == []

    def test_custom_to_python(self):
        class Csv(FieldDescriptor[list]):
            def to_python(self, value):
                return value.split(",") if isinstance(value, str) else value

        class Row(Record):
            cells: list = Csv()

        assert Row.from_data({"cells": "a,b"}).cells == ["a", "b"]

    def test_extra_options_survive_clone(self):
        class Tagged(FieldDescriptor[str]):
            def __init__(self, *, label=None, **kwargs):
                self.label = label
                super().__init__(label=label, **kwargs)

        class Row(Record):
            s: str = Tagged(label="L")

        assert Row.s.label == "L"


class TestValidationOption:
    def test_required_none(self):
        class Req(Record, validation=True):
            name: str

        with pytest.raises(ValidationError, match="name is required"):
            Req(None)

    def test_errors_are_fresh(self):
        class M(Record):
            n: int = IntegerField(min_value=1)

        m = M(0)
        assert not m.is_valid()
        m.n = 1
        assert m.is_valid()
        assert m.validation_errors == []

    def test_nested_models_are_validated(self):
        class Inner(Record):
            n: int = IntegerField(min_value=1)

        class Outer(Record):
            inner: Inner
            more: list[Inner] = []

        o = Outer(Inner(0), [Inner(1), Inner(-1)])
        assert errors(o) == ["n must be at least 1", "n must be at least 1"]
        with pytest.raises(ValidationError):
            o.validate_or_raise()

    def test_validation_implies_coerce(self):
        class V(Record, validation=True):
            n: int

        assert V._options.coerce
        assert V("3").n == 3
