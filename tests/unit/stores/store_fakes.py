"""A fake ``rocksdict`` (in memory) and a table stand-in for store tests."""

from __future__ import annotations

from typing import Any, Optional

import pytest

import faust
from faust.types import TP, FutureMessage, PendingMessage, RecordMetadata


class FakeRdict(dict):  # type: ignore[type-arg]
    """Enough of ``rocksdict.Rdict`` for the store (bytes only)."""

    locked: set[str] = set()
    disks: dict[str, dict[bytes, bytes]] = {}

    def __init__(self, path: str, options: Any = None, access_type: Any = None):
        if path in self.locked:
            raise Exception(f"IO error: lock hold by another process: {path}/LOCK")
        super().__init__(self.disks.get(path, {}))
        self.path_ = path
        self.closed = False
        self.access_type = access_type

    def put(self, key: bytes, value: bytes) -> None:
        self[key] = value

    def delete(self, key: bytes) -> None:
        self.pop(key, None)

    def write(self, batch: FakeWriteBatch) -> None:
        for op, key, value in batch.ops:
            if op == "put":
                self[key] = value
            else:
                self.pop(key, None)

    def close(self) -> None:
        self.disks[self.path_] = dict(self)
        self.closed = True


class FakeWriteBatch:
    def __init__(self, raw_mode: bool = False) -> None:
        self.ops: list[tuple[str, bytes, Optional[bytes]]] = []

    def put(self, key: bytes, value: bytes) -> None:
        self.ops.append(("put", key, value))

    def delete(self, key: bytes) -> None:
        self.ops.append(("delete", key, None))


class FakeOptions:
    def __init__(self, raw_mode: bool = False) -> None:
        self.set: dict[str, Any] = {}

    def create_if_missing(self, flag: bool) -> None:
        self.set["create_if_missing"] = flag

    def __getattr__(self, name: str) -> Any:
        if name.startswith("set_") and name != "set_nope":
            return lambda value, *args: self.set.__setitem__(name[4:], value)
        raise AttributeError(name)


class FakeBlockBased:
    def set_block_cache(self, cache: Any) -> None: ...

    def set_bloom_filter(self, bits: int, block_based: bool) -> None: ...


class FakeAccessType:
    @staticmethod
    def read_only() -> str:
        return "read_only"

    @staticmethod
    def read_write() -> str:
        return "read_write"

    @staticmethod
    def with_ttl(ttl: int) -> str:
        return f"ttl={ttl}"


class FakeRocksdict:
    Rdict = FakeRdict
    WriteBatch = FakeWriteBatch
    Options = FakeOptions
    BlockBasedOptions = FakeBlockBased
    AccessType = FakeAccessType

    @staticmethod
    def Cache(size: int) -> int:
        return size


@pytest.fixture
def fake_rocksdict(monkeypatch: pytest.MonkeyPatch) -> type[FakeRocksdict]:
    FakeRdict.locked = set()
    FakeRdict.disks = {}
    monkeypatch.setattr("faust.stores.rocksdb.import_rocksdict", lambda: FakeRocksdict)
    return FakeRocksdict


@pytest.fixture
def app(tmp_path: Any) -> faust.App:
    return faust.App(
        "stores-test", broker="memory://stores-test", datadir=str(tmp_path)
    )


class FakeTable:
    """The part of a table a store uses."""

    def __init__(self, app: faust.App, name: str = "t", state: bool = True) -> None:
        self.app = app
        self.name = name
        self.changelog_is_state = state
        self.use_partitioner = False
        self.is_global = False
        self.changelog_topic = app.topic(
            f"{app.conf.id}-{name}-changelog",
            key_serializer="json",
            value_serializer="json",
        )


def sent(
    key: bytes, value: Optional[bytes], partition: int, offset: int
) -> FutureMessage:
    """A changelog message the broker stored at ``offset``."""
    fut = FutureMessage(
        PendingMessage(
            None,
            key,
            value,
            partition=partition,
            timestamp=None,
            headers=None,
            key_serializer=None,
            value_serializer=None,
            callback=None,
        )
    )
    tp = TP("t-changelog", partition)
    fut.set_result(RecordMetadata(tp.topic, partition, tp, offset, 0.0, 0))
    return fut
