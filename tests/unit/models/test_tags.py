import pytest

from faust.exceptions import SecurityError
from faust.models import Record
from faust.models.fields import StringField
from faust.models.tags import Personal, Secret, Sensitive, Tag, allow_protected_vars


class Account(Record, serializer="json", namespace="test_tags.Account"):
    user: str
    password: Secret[str]
    ssn: Sensitive[str]
    email: Personal[str]
    pin: Secret[str] = StringField(max_length=4, default="0000")


@pytest.fixture
def account():
    return Account("bob", "hunter2", "123-45", "bob@example.com")


def test_values_are_wrapped(account):
    assert isinstance(account.password, Secret)
    assert account.password.get_value() == "hunter2"
    assert account.password.field == "password"
    assert isinstance(account.pin, Secret)


def test_secret_is_masked(account):
    assert str(account.password) == "***********"
    assert f"{account.password}" == "***********"
    assert f"{account.password:>12}" == " ***********"


@pytest.mark.parametrize("field", ["ssn", "email"])
def test_opaque_tags_refuse_text(account, field):
    value = getattr(account, field)
    with pytest.raises(SecurityError, match="Attempt to use .* data as a string"):
        str(value)
    with pytest.raises(SecurityError):
        f"{value}"


def test_repr_does_not_leak(account):
    text = repr(account)
    assert (
        "hunter2" not in text and "123-45" not in text and "bob@example.com" not in text
    )
    assert "<Secret: password@" in text


def test_serialization_writes_real_values(account):
    payload = account.dumps()
    assert b'"password":"hunter2"' in payload
    back = Account.loads(payload)
    assert back.password.get_value() == "hunter2"
    assert back == account
    assert hash(back) == hash(account)


def test_options_index_tagged_fields():
    options = Account._options
    assert options.secret_fields == {"password", "pin"}
    assert options.sensitive_fields == {"ssn"}
    assert options.personal_fields == {"email"}
    assert options.tagged_fields == {"password", "pin", "ssn", "email"}
    assert options.has_secret_fields and options.has_tagged_fields
    assert Account.password.tag is Secret


def test_assignment_wraps(account):
    account.password = "new"
    assert isinstance(account.password, Secret)
    assert account.password.get_value() == "new"


def test_validation_sees_the_value():
    class Pin(Record):
        pin: Secret[str] = StringField(max_length=4)

    assert [str(e) for e in Pin("12345").validate()] == [
        "pin must have at most 4 characters"
    ]
    assert Pin("1234").is_valid()


def test_cannot_double_wrap():
    with pytest.raises(SecurityError, match="already tagged"):
        Secret(Secret("x"))


def test_tag_equality_and_ordering():
    assert Secret("a") == Secret("a")
    assert Secret("a") != Sensitive("a")
    assert Secret("a") < Secret("b")
    assert Secret("a").__eq__("a") is NotImplemented
    assert Secret("a").__lt__(1) is NotImplemented


def test_allow_protected_vars_is_available():
    with allow_protected_vars():
        assert Personal("x").get_value() == "x"


def test_flags():
    assert Secret.is_secret and not Secret.is_sensitive
    assert Sensitive.is_sensitive and Personal.is_personal
    assert not Tag.is_secret
