"""The extras named in one-line errors exist in the distribution's metadata."""

from __future__ import annotations

from importlib.metadata import metadata

import pytest

from faust.utils.extras import DISTRIBUTION, EXTRAS, install_hint

DEVELOPMENT_EXTRAS = {"test", "lint", "docs"}


def test_install_hint_names_the_distribution() -> None:
    assert install_hint("rocksdb") == "pip install 'faust-ng[rocksdb]'"


def test_unknown_extra_is_refused() -> None:
    with pytest.raises(KeyError):
        install_hint("rocksdbb")


def test_every_extra_is_in_the_distribution_metadata() -> None:
    provided = set(metadata(DISTRIBUTION).get_all("Provides-Extra") or ())
    # Extras added next to ours (fastapi, sentry, ...) need no hint here;
    # every extra a message names must exist.
    assert set(EXTRAS) <= provided
    assert {"rocksdb", "rocksdict", "redis", "prometheus", "statsd", "datadog"} <= (
        provided - DEVELOPMENT_EXTRAS
    )


def test_distribution_metadata() -> None:
    meta = metadata(DISTRIBUTION)
    assert meta["Name"] == "faust-ng"
    assert meta["License-Expression"] == "BSD-3-Clause"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or ())
    assert {"Homepage", "Documentation", "Source", "Changelog"} <= set(urls)
