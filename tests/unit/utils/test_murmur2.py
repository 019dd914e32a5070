import os
import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as kafka_murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from faust.utils.murmur2 import default_partitioner, murmur2, partition_for_key

FIXED = [
    b"",
    b"a",
    b"ab",
    b"abc",
    b"abcd",
    b"abcde",
    b"\x00",
    b"\xff",
    b"\xff\xff\xff",
    b"\x80\x80\x80\x80\x80",
    "clé-ünicode-ключ-鍵".encode(),
    "🙂".encode(),
    b"user-123456789",
    b"x" * 255,
    b"y" * 256,
    b"z" * 1001,
]


@pytest.mark.parametrize("data", FIXED)
def test_murmur2_matches_kafka_client(data):
    assert murmur2(data) == kafka_murmur2(data)


def test_murmur2_every_length_and_tail():
    rng = random.Random(7)
    for length in range(300):
        for _ in range(5):
            data = bytes(rng.getrandbits(8) for _ in range(length))
            assert murmur2(data) == kafka_murmur2(data), data


@settings(max_examples=500)
@given(st.binary(max_size=600))
def test_murmur2_property(data):
    h = murmur2(data)
    assert h == kafka_murmur2(data)
    assert 0 <= h < 2**32


def test_murmur2_accepts_bytearray_and_memoryview():
    data = os.urandom(37)
    assert murmur2(bytearray(data)) == murmur2(memoryview(data)) == murmur2(data)


@settings(max_examples=300)
@given(st.binary(max_size=100), st.integers(min_value=1, max_value=1000))
def test_partition_for_key_matches_default_partitioner(key, num_partitions):
    partitions = list(range(num_partitions))
    expected = DefaultPartitioner()(key, partitions, partitions)
    assert partition_for_key(key, num_partitions) == expected
    assert default_partitioner(key, partitions, partitions) == expected


def test_known_values():
    # Values the Kafka client gives, pinned so a regression shows even if the
    # reference implementation changed.
    assert [murmur2(x) for x in (b"", b"a", b"hello world")] == [
        275646681,
        2731586172,
        1221641059,
    ]
    assert [partition_for_key(b"key-%d" % i, 8) for i in range(8)] == [
        1,
        0,
        6,
        3,
        1,
        0,
        4,
        3,
    ]


def test_partition_for_key_zero_partitions():
    with pytest.raises(ZeroDivisionError):
        partition_for_key(b"k", 0)


def test_default_partitioner_keyed_ignores_availability():
    # A key always maps to the same partition, even if it is unavailable.
    p = default_partitioner(b"k", [0, 1, 2, 3], [])
    assert p == partition_for_key(b"k", 4)


def test_default_partitioner_no_key_uses_available():
    for _ in range(50):
        assert default_partitioner(None, [0, 1, 2, 3], [2]) == 2
    assert default_partitioner(None, [0, 1], []) in {0, 1}


def test_partition_for_key_is_the_same_from_the_cache_and_when_it_is_full(
    monkeypatch,
):
    from faust.utils import murmur2 as module

    monkeypatch.setattr(module, "_HASHES_KEPT", 3)
    monkeypatch.setattr(module, "_hashes", {})
    keys = [b"k%d" % i for i in range(10)] * 2
    for key in keys:
        for count in (1, 4, 7):
            expected = (kafka_murmur2(key) & 0x7FFFFFFF) % count
            assert partition_for_key(key, count) == expected
    assert len(module._hashes) <= 3
    assert partition_for_key(bytearray(b"k1"), 7) == partition_for_key(b"k1", 7)
