"""Faust-compatible helpers and aliases of ``faust.types``."""

from __future__ import annotations

import ssl

import pytest

import faust
from faust.exceptions import ImproperlyConfigured
from faust.types import TP
from faust.types.auth import (
    AUTH_PROTOCOLS_SASL,
    AUTH_PROTOCOLS_SSL,
    AuthProtocol,
    to_credentials,
)
from faust.types.tuples import tp_set_to_map


def test_tp_set_to_map_groups_partitions_by_topic() -> None:
    tps = {TP("a", 0), TP("a", 1), TP("b", 0)}
    assert tp_set_to_map(tps) == {"a": {TP("a", 0), TP("a", 1)}, "b": {TP("b", 0)}}
    assert tp_set_to_map(set()) == {}


def test_auth_protocol_groups() -> None:
    assert AuthProtocol.SASL_SSL in AUTH_PROTOCOLS_SSL & AUTH_PROTOCOLS_SASL
    assert AuthProtocol.PLAINTEXT not in AUTH_PROTOCOLS_SSL | AUTH_PROTOCOLS_SASL


def test_to_credentials_accepts_credentials_contexts_and_none() -> None:
    sasl = faust.SASLCredentials(username="u", password="p")
    assert to_credentials(sasl) is sasl
    assert to_credentials(None) is None
    context = ssl.create_default_context()
    wrapped = to_credentials(context)
    assert isinstance(wrapped, faust.SSLCredentials)
    assert wrapped.context is context


def test_to_credentials_rejects_other_values_saying_what_to_pass() -> None:
    with pytest.raises(ImproperlyConfigured, match="SASLCredentials"):
        to_credentials(("user", "password"))  # type: ignore[arg-type]


def test_serializer_registry_names_the_model_base() -> None:
    app = faust.App("registry-model", broker="memory://")
    assert app.serializers.Model is faust.Model
