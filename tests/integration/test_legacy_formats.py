"""Old Produce/Fetch versions (Produce 0-2, Fetch 0-3) and the legacy message format.

librdkafka 2.0.2 compresses only when the broker offers Produce v2 and Fetch v2, so its gzip,
snappy and lz4 batches must now be stored compressed. Old fetchers get down-converted message
sets: magic 0 for Fetch v0-1, magic 1 for Fetch v2-3. Eddy stores magic 2 only: legacy message
sets in Produce v0-2 are up-converted to one magic 2 batch, as Kafka 3.x did (the old clients
themselves are in test_old_clients.py)."""

import struct
import subprocess

import pytest

from clients import (CODEC_IDS, Received, Workload, check_round_trip, create_topic, decode_batches,
                     kp_exchange, legacy_batch, now_ms, produce_confluent, produce_kafka_python,
                     produce_kcat, raw_fetch_v4, raw_produce, stored_codecs, v2_batch)

NONE = 0
CORRUPT_MESSAGE = 2
UNSUPPORTED_COMPRESSION_TYPE = 76
PARTITIONS = 3


# --- helpers for this file ------------------------------------------------------------------

def legacy_entries(data: bytes) -> list:
    """[(offset, magic, attributes)] of the top-level entries of a legacy message set, read with
    the documented layout (wrappers are not opened)."""
    entries, position = [], 0
    while position + 18 <= len(data):
        offset, size = struct.unpack_from(">qi", data, position)
        if position + 12 + size > len(data):
            break
        magic, attributes = struct.unpack_from(">bb", data, position + 16)
        entries.append((offset, magic, attributes))
        position += 12 + size
    return entries


def decode_legacy(data: bytes) -> list:
    """[(offset, timestamp, key, value)] of every message, wrappers opened, by kafka-python."""
    from kafka.record import MemoryRecords

    records, out = MemoryRecords(data), []
    while True:
        batch = records.next_batch()
        if batch is None:
            return out
        out.extend((r.offset, r.timestamp, r.key, r.value) for r in batch)


def raw_fetch(broker, version: int, topic: str, partition: int, offset: int,
              partition_max_bytes: int = 1024 * 1024, max_bytes: int = 50 * 1024 * 1024):
    """Fetch v0-3 for one partition: (error code, high watermark, message set bytes)."""
    from kafka.protocol.fetch import FetchRequest

    fields = dict(replica_id=-1, max_wait_time=0, min_bytes=1,
                  topics=[(topic, [(partition, offset, partition_max_bytes)])])
    if version >= 3:
        fields["max_bytes"] = max_bytes
    (_, partitions), = kp_exchange(broker, FetchRequest[version](**fields)).topics
    _, error, high_watermark, records = partitions[0]
    return error, high_watermark, records or b""


def raw_produce_old(broker, topic: str, partition: int, records: bytes, version: int):
    """Produce v0-2 (no transactional id field): (error code, base offset)."""
    from kafka.protocol.produce import ProduceRequest

    request = ProduceRequest[version](required_acks=-1, timeout=10000,
                                      topics=[(topic, [(partition, bytes(records))])])
    (_, partitions), = kp_exchange(broker, request).topics
    return partitions[0][1], partitions[0][2]


def consume_kafka_python_0_10(broker, topic: str, partitions: int, count: int,
                              timeout_s: float = 60.0) -> list:
    """kafka-python pinned to broker version 0.10: Fetch v2, so magic 1 message sets. Offsets
    are set explicitly (test_old_clients.py lets it find them with ListOffsets v0)."""
    import time

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, api_version=(0, 10),
                             group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100,
                             request_timeout_ms=30000)
    received = []
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        for tp in assigned:
            consumer.seek(tp, 0)
        deadline = time.monotonic() + timeout_s
        while len(received) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500, max_records=10000).values():
                received.extend(Received(r.partition, r.offset, r.key, r.value,
                                         list(r.headers or []), r.timestamp) for r in records)
        for records in consumer.poll(timeout_ms=300).values():
            received.extend(Received(r.partition, r.offset, r.key, r.value,
                                     list(r.headers or []), r.timestamp) for r in records)
    finally:
        consumer.close()
    return received


def consume_kcat_old(broker, topic: str, partition: int, fallback: str) -> list:
    """kcat without ApiVersions, pretending the broker is `fallback` (0.9.0: Fetch v1, magic 0;
    0.10.0: Fetch v2, magic 1). Starts at offset 0 explicitly (no ListOffsets needed)."""
    result = subprocess.run(
        ["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-p", str(partition), "-o", "0",
         "-e", "-q", "-f", "%o\t%k\t%s\n", "-X", "api.version.request=false",
         "-X", f"broker.version.fallback={fallback}"],
        capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return [tuple(line.split("\t")) for line in result.stdout.decode().splitlines()]


# --- librdkafka compresses now ----------------------------------------------------------------

@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4"])
@pytest.mark.parametrize("producer", ["confluent", "kcat"])
def test_librdkafka_producers_store_compressed_batches(eddy, producer, codec):
    topic = f"compressed-{producer}-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(3000, label=f"{producer}-{codec}")
    if producer == "kcat":
        produce_kcat(eddy, topic, workload, codec)
    else:
        produce_confluent(eddy, topic, workload, codec, timestamps=False)
    for partition in range(PARTITIONS):
        codecs = stored_codecs(eddy, topic, partition)
        # librdkafka sends a batch uncompressed only when compressing does not shrink it.
        assert CODEC_IDS[codec] in codecs <= {0, CODEC_IDS[codec]}, (partition, codecs)


# --- Fetch v2 (magic 1) through a real consumer -------------------------------------------

@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4"])
def test_kafka_python_0_10_consumer_reads_down_converted_records(eddy, codec):
    topic = f"old-consumer-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(2000, label=f"old-{codec}")
    produce_kafka_python(eddy, topic, workload, codec)
    assert CODEC_IDS[codec] in stored_codecs(eddy, topic, 0)
    received = consume_kafka_python_0_10(eddy, topic, PARTITIONS, workload.count)
    # Magic 1 has no headers: they are dropped, keys, values and timestamps survive.
    check_round_trip(workload, received, PARTITIONS, headers_of=lambda i: [])


def test_kcat_with_old_broker_versions_reads_magic_0_and_1(eddy):
    create_topic(eddy, "old-kcat", 1)
    workload = Workload(500, label="old-kcat")
    produce_kcat(eddy, "old-kcat", workload, "gzip")
    expected = [(str(i), workload.key(i).decode(), workload.value(i).decode())
                for i in range(workload.count)]
    for fallback in ("0.9.0", "0.10.0"):
        assert consume_kcat_old(eddy, "old-kcat", 0, fallback) == expected, fallback


# --- raw Fetch v0-3 -----------------------------------------------------------------------------

@pytest.mark.parametrize("version,magic", [(0, 0), (1, 0), (2, 1), (3, 1)])
def test_raw_fetch_gets_the_magic_of_its_version(eddy, version, magic):
    create_topic(eddy, "raw", 1)
    stamp = now_ms() - 5000
    assert raw_produce(eddy, "raw", 0, v2_batch(count=3, value=b"plain", timestamp_ms=stamp)) \
        == (NONE, 0)
    assert raw_produce(eddy, "raw", 0, v2_batch(count=4, value=b"squeeze" * 30,
                                                timestamp_ms=stamp, codec=1)) == (NONE, 3)
    error, high_watermark, data = raw_fetch(eddy, version, "raw", 0, 0)
    assert (error, high_watermark) == (NONE, 7)
    entries = legacy_entries(data)
    # Three plain messages, then one gzip wrapper carrying the last inner offset.
    assert [(offset, m, attributes & 7) for offset, m, attributes in entries] == \
        [(0, magic, 0), (1, magic, 0), (2, magic, 0), (6, magic, 1)]
    messages = decode_legacy(data)
    assert [m[0] for m in messages] == list(range(7))
    assert [m[2] for m in messages] == [b"k"] * 7
    assert [m[3] for m in messages] == [b"plain"] * 3 + [b"squeeze" * 30] * 4
    expected_ts = None if magic == 0 else stamp
    assert all(m[1] == expected_ts for m in messages), messages


def test_raw_fetch_v0_from_the_middle_of_a_batch(eddy):
    create_topic(eddy, "middle", 1)
    assert raw_produce(eddy, "middle", 0, v2_batch(count=10)) == (NONE, 0)
    error, _, data = raw_fetch(eddy, 0, "middle", 0, 6)
    assert error == NONE
    assert [m[0] for m in decode_legacy(data)] == [6, 7, 8, 9]


def test_raw_fetch_v3_returns_whole_messages_within_max_bytes(eddy):
    create_topic(eddy, "bounded", 1)
    assert raw_produce(eddy, "bounded", 0, v2_batch(count=50, value=b"x" * 100)) == (NONE, 0)
    # A magic 1 message with key "k" and a 100-byte value takes 12 + 22 + 1 + 100 = 135 bytes:
    # 500 bytes hold three whole ones.
    error, _, data = raw_fetch(eddy, 3, "bounded", 0, 0, max_bytes=500)
    assert error == NONE
    assert len(data) <= 500
    assert [offset for offset, _, _ in legacy_entries(data)] == [0, 1, 2]
    assert len(decode_legacy(data)) == 3
    # A limit below one message still returns the first (KIP-74), so the fetcher progresses.
    error, _, data = raw_fetch(eddy, 3, "bounded", 0, 10, max_bytes=10)
    assert error == NONE
    assert [offset for offset, _, _ in legacy_entries(data)] == [10]


def test_old_fetch_of_zstd_is_unsupported_compression_type(eddy):
    create_topic(eddy, "zstd-old-fetch", 1)
    batch = v2_batch(count=20, value=b"z" * 200, codec=4)
    assert raw_produce(eddy, "zstd-old-fetch", 0, batch) == (NONE, 0)
    for version in (0, 2, 3):
        error, _, data = raw_fetch(eddy, version, "zstd-old-fetch", 0, 0)
        assert (error, data) == (UNSUPPORTED_COMPRESSION_TYPE, b""), version


# --- Produce v0-2 -------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [0, 1, 2])
def test_old_produce_appends_v2_batches_and_up_converts_legacy_message_sets(eddy, version):
    create_topic(eddy, "old-produce", 1)
    assert raw_produce_old(eddy, "old-produce", 0, v2_batch(count=2), version) == (NONE, 0)
    for magic in (0, 1):
        assert raw_produce_old(eddy, "old-produce", 0, legacy_batch(magic), version) \
            == (NONE, 2 + magic)
    # One corrupt message refuses the whole set: nothing of it is appended.
    corrupt = bytearray(legacy_batch(1) + legacy_batch(1))
    corrupt[-1] ^= 0x01
    assert raw_produce_old(eddy, "old-produce", 0, bytes(corrupt), version)[0] == CORRUPT_MESSAGE
    assert raw_produce_old(eddy, "old-produce", 0, v2_batch(), version) == (NONE, 4)
    error, _, data = raw_fetch(eddy, 2, "old-produce", 0, 0)
    assert [m[0] for m in decode_legacy(data)] == [0, 1, 2, 3, 4]
    # Each legacy set became one stored magic 2 batch.
    error, _, batches = raw_fetch_v4(eddy, "old-produce", 0, 0)
    assert decode_batches(batches) == [(0, 2), (2, 1), (3, 1), (4, 1)]
