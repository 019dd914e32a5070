"""``Settings``: the configuration of one app (``app.conf``).

Assembled from the per-section mixins; each setting is a
:class:`~faust.types.settings.params.Param` declared once in its section
module. This module
adds the app identity: ``id``/``name``/``version`` and the data
directories.

Example:
    >>> conf = Settings('myapp', broker='kafka://k1:9092', version=2)
    >>> conf.id, conf.broker
    ('myapp-v2', [URL('kafka://k1:9092')])
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from faust.exceptions import ImproperlyConfigured

from .base import E_NO_ID, SettingsRegistry
from .broker import DEFAULT_BROKER_URL, BrokerSettings
from .common import CommonSettings
from .consumer import ConsumerSettings
from .extensions import ExtensionSettings
from .producer import ProducerSettings
from .rpc import RPCSettings
from .stream import StreamSettings
from .table import TableSettings
from .topic import TopicSettings
from .web import WebSettings, node_hostname
from .worker import WorkerSettings

__all__ = ["Settings"]


class _NodeHostname:
    """``Settings.NODE_HOSTNAME``: looked up on first use, not at import."""

    def __get__(self, obj: Any, objtype: Any = None) -> str:
        return node_hostname()


class Settings(
    SettingsRegistry,
    CommonSettings,
    BrokerSettings,
    ConsumerSettings,
    ProducerSettings,
    StreamSettings,
    TableSettings,
    TopicSettings,
    RPCSettings,
    WebSettings,
    WorkerSettings,
    ExtensionSettings,
):
    """Configuration of a Faust app.

    Arguments:
        id: the app name (required). With ``version > 1`` the effective
            :attr:`id` becomes ``id_format`` applied to it (``myapp-v2``).
        env: mapping to read environment variables from
            (default :data:`os.environ`).
        **kwargs: any setting by name (see ``docs/userguide/settings.rst``).
            Environment variables override keyword arguments.

    Raises:
        ImproperlyConfigured: for a missing id, an unknown setting or an
            invalid value.
    """

    NODE_HOSTNAME = _NodeHostname()
    DEFAULT_BROKER_URL: ClassVar[str] = DEFAULT_BROKER_URL

    def __post_init__(self) -> None:
        self.id  # noqa: B018 - validates id_format now, not on first use

    @property
    def name(self) -> str:
        """The app name as given, without the version suffix."""
        return self._name

    @property
    def id(self) -> str:
        """The app id: :attr:`name`, or ``id_format`` applied when version > 1.

        Used as the Kafka consumer group and the prefix of internal topics.
        Uses the effective version (``APP_VERSION`` included).
        """
        cache = self._cache
        try:
            return cache["@id"]  # type: ignore[no-any-return]  # dict of Any
        except KeyError:
            pass
        ident = cache["@id"] = self._prepare_id(self._name)
        return ident

    @id.setter
    def id(self, name: str) -> None:
        if not name or not isinstance(name, str):
            raise ImproperlyConfigured(E_NO_ID)
        object.__setattr__(self, "_name", name)
        self._cache.clear()

    def _prepare_id(self, name: str) -> str:
        version: int = self._get("version")
        if version <= 1:
            return name
        id_format: str = self._get("id_format")
        try:
            with self._untracked():
                return id_format.format(id=name, self=self)
        except (KeyError, IndexError, AttributeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"Invalid value {id_format!r} for setting 'id_format' "
                f"({type(exc).__name__}: {exc}): expected a format string using "
                "{id} and {self.<setting>}"
            ) from None

    @property
    def appdir(self) -> Path:
        """Directory of this app version's data: ``datadir / f"v{version}"``."""
        return self.data_directory_for_version(self._get("version"))

    def data_directory_for_version(self, version: int) -> Path:
        """Return the data directory of app version ``version``."""
        datadir: Path = self._get("datadir")
        return datadir / f"v{version}"

    def relative_to_appdir(self, path: Path) -> Path:
        """Return ``path`` if absolute, else ``path`` under :attr:`appdir`."""
        return path if path.is_absolute() else self.appdir / path

    def find_old_versiondirs(self) -> Iterator[Path]:
        """Yield existing data directories of older versions, newest first."""
        for version in reversed(range(0, self._get("version"))):
            path = self.data_directory_for_version(version)
            if path.is_dir():
                yield path

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.id}>"

    def get(self, name: str, default: Any | None = None) -> Any:
        """Return setting ``name``, or ``default`` if there is no such setting."""
        if name in self.SETTINGS:
            return getattr(self, name)
        return default
