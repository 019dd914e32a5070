"""faust.cli.params: click parameter types."""

from __future__ import annotations

import click
import pytest
from yarl import URL

from faust.cli.params import CaseInsensitiveChoice, LogLevel, TCPPort, URLParam


@pytest.mark.parametrize(
    ("given", "level"),
    [
        ("crit", "CRITICAL"),
        ("CRIT", "CRITICAL"),
        ("critical", "CRITICAL"),
        ("error", "ERROR"),
        ("Warn", "WARNING"),
        ("warning", "WARNING"),
        ("info", "INFO"),
        ("DEBUG", "DEBUG"),
    ],
)
def test_loglevel(given: str, level: str) -> None:
    assert LogLevel().convert(given, None, None) == level


def test_loglevel_rejects_unknown() -> None:
    with pytest.raises(click.BadParameter, match="verbose"):
        LogLevel().convert("verbose", None, None)


def test_case_insensitive_choice() -> None:
    choice = CaseInsensitiveChoice(["Aio", "uvloop"])
    assert choice.convert("AIO", None, None) == "aio"
    with pytest.raises(click.BadParameter):
        choice.convert("gevent", None, None)


@pytest.mark.parametrize("port", ["1", "6066", "65535"])
def test_tcp_port(port: str) -> None:
    assert TCPPort().convert(port, None, None) == int(port)


@pytest.mark.parametrize("port", ["0", "65536", "-1", "web"])
def test_tcp_port_rejects(port: str) -> None:
    with pytest.raises(click.BadParameter):
        TCPPort().convert(port, None, None)


def test_url_param() -> None:
    assert URLParam().convert("unix:///tmp/x.sock", None, None) == URL(
        "unix:///tmp/x.sock"
    )
    url = URL("tcp://")
    assert URLParam().convert(url, None, None) is url


def test_url_param_rejects() -> None:
    with pytest.raises(click.BadParameter, match="not a valid URL"):
        URLParam().convert("http://[::1", None, None)
