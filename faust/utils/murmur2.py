"""Kafka's murmur2 hash and default partitioning rule.

Kafka's Java client (and aiokafka) put a keyed record on partition
``(murmur2(key) & 0x7fffffff) % num_partitions``.  The in-memory broker and
any code that must predict where Kafka stores a key use the functions here, so
a key lands on the same partition whichever transport is in use.

:func:`murmur2` is the 32-bit MurmurHash2 variant Kafka uses (seed
``0x9747b28c``, little-endian 4-byte blocks, unsigned tail bytes) and returns
the hash as an unsigned 32-bit integer, like aiokafka's ``murmur2``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from struct import Struct, unpack_from

__all__ = ["murmur2", "partition_for_key", "default_partitioner"]

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF
_POSITIVE = 0x7FFFFFFF
#: Precompiled little-endian block unpackers for keys up to 255 bytes.
_UNPACK = [Struct(f"<{n}I").unpack_from for n in range(64)]


def murmur2(data: bytes) -> int:
    """Return Kafka's murmur2 hash of ``data`` as an unsigned 32-bit int.

    Arguments:
        data: the bytes to hash (``bytes``, ``bytearray`` or ``memoryview``).

    Returns:
        The hash, in ``range(2**32)``.  Kafka's Java client returns the same
        bits as a signed int; ``& 0x7fffffff`` gives the same result for both.
    """
    length = len(data)
    h = _SEED ^ length
    nblocks = length >> 2
    if nblocks:
        m = _M
        mask = _MASK
        if nblocks < 64:
            blocks = _UNPACK[nblocks](data)
        else:
            blocks = unpack_from(f"<{nblocks}I", data)
        for k in blocks:
            k = (k * m) & mask
            h = ((h * m) ^ ((k ^ (k >> 24)) * m)) & mask
    tail = length & 3
    if tail:
        i = length - tail
        if tail == 3:
            h ^= data[i + 2] << 16
        if tail >= 2:
            h ^= data[i + 1] << 8
        h = ((h ^ data[i]) * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


def partition_for_key(key: bytes, num_partitions: int) -> int:
    """Return the partition Kafka's default partitioner picks for ``key``.

    Arguments:
        key: the serialized message key.
        num_partitions: how many partitions the topic has (at least 1).

    Returns:
        ``(murmur2(key) & 0x7fffffff) % num_partitions``.

    Raises:
        ZeroDivisionError: if ``num_partitions`` is 0.
    """
    if key.__class__ is not bytes:
        return (murmur2(key) & _POSITIVE) % num_partitions
    hashed = _hashes.get(key)
    if hashed is None:
        hashed = murmur2(key) & _POSITIVE
        if len(_hashes) >= _HASHES_KEPT:
            _hashes.clear()
        _hashes[key] = hashed
    return hashed % num_partitions


#: Hashes of recent keys: keys repeat (an account, a user), and murmur2 in
#: Python costs about a microsecond a key. Cleared when full.
_HASHES_KEPT = 10_000
_hashes: dict[bytes, int] = {}


def default_partitioner(
    key: bytes | None,
    all_partitions: Sequence[int],
    available: Sequence[int],
) -> int:
    """Choose a partition like Kafka's default partitioner.

    Has the signature of the ``producer_partitioner`` setting.

    Arguments:
        key: the serialized key, or None.
        all_partitions: every partition of the topic, sorted.
        available: the partitions that currently have a leader.

    Returns:
        For a key, ``all_partitions[murmur2 rule]`` (even when that partition
        is unavailable, as Kafka does, so a key never moves); for None, a
        random partition from ``available`` (or from ``all_partitions`` when
        none is available).
    """
    if key is None:
        return random.choice(available or all_partitions)
    return all_partitions[(murmur2(key) & _POSITIVE) % len(all_partitions)]
