"""Produce and Fetch with real clients: 100,000-record round trips for every client and codec,
Produce's per-partition errors, and Fetch's long poll, size limits and topic ids."""

import threading
import time

import pytest

from clients import (CODEC_IDS, CODECS, KCAT_HEADERS, Workload, check_round_trip, consume_confluent,
                     consume_kafka_python, consume_kcat, create_topic, decode_batches, fetch_v13,
                     legacy_batch, now_ms, produce_confluent, produce_kafka_python, produce_kcat,
                     raw_fetch_v4, raw_produce, stored_codecs, topic_ids,
                     v2_batch)

RECORDS = 100_000
PARTITIONS = 6

# Error codes (Kafka's Errors enum).
NONE = 0
OFFSET_OUT_OF_RANGE = 1
CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
MESSAGE_TOO_LARGE = 10
INVALID_TIMESTAMP = 32
UNSUPPORTED_FOR_MESSAGE_FORMAT = 43
UNSUPPORTED_COMPRESSION_TYPE = 76
INVALID_RECORD = 87
UNKNOWN_TOPIC_ID = 100


def require_kafka_python_codec(codec: str):
    """kafka-python compresses with optional modules; Debian ships each one."""
    import kafka.codec

    available = {"none": True, "gzip": kafka.codec.has_gzip(), "snappy": kafka.codec.has_snappy(),
                 "lz4": kafka.codec.has_lz4(), "zstd": kafka.codec.has_zstd()}
    package = {"snappy": "python3-snappy", "lz4": "python3-lz4", "zstd": "python3-zstandard"}
    assert available[codec], f"kafka-python lacks {codec}: install {package.get(codec)}"


# Each codec is produced by every client and read back by a different one, so every client
# both writes and reads every codec.
PAIRS = [("kcat", "confluent"), ("confluent", "kafka-python"), ("kafka-python", "kcat")]


@pytest.mark.slow
@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("producer,consumer", PAIRS, ids=[f"{p}-to-{c}" for p, c in PAIRS])
def test_round_trip_100k_keyed_records_with_headers(eddy, codec, producer, consumer):
    if "kafka-python" in (producer, consumer):
        require_kafka_python_codec(codec)
    topic = f"roundtrip-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(RECORDS, label=f"{producer}-{codec}")
    started_ms = now_ms()
    if producer == "kcat":
        produce_kcat(eddy, topic, workload, codec)
    elif producer == "confluent":
        produce_confluent(eddy, topic, workload, codec, timestamps=False)
    else:
        produce_kafka_python(eddy, topic, workload, codec)
    finished_ms = now_ms()
    # Stored as sent; librdkafka sends a batch uncompressed when compression does not shrink it.
    assert CODEC_IDS[codec] in stored_codecs(eddy, topic, 0) <= {0, CODEC_IDS[codec]}

    if consumer == "kcat":
        received = consume_kcat(eddy, topic, PARTITIONS)
    elif consumer == "confluent":
        received = consume_confluent(eddy, topic, PARTITIONS, RECORDS)
    else:
        received = consume_kafka_python(eddy, topic, PARTITIONS, RECORDS)

    window = (started_ms - 1000, finished_ms + 1000)
    if producer == "kcat":
        check_round_trip(workload, received, PARTITIONS, headers_of=lambda i: KCAT_HEADERS,
                         timestamps=window)
    elif producer == "confluent":
        check_round_trip(workload, received, PARTITIONS, timestamps=window)
    else:
        check_round_trip(workload, received, PARTITIONS)


def test_same_client_round_trip_small(eddy):
    """Each client reads back what it wrote itself (1,000 records, zstd)."""
    for name, produce, consume in [
            ("confluent", produce_confluent, lambda t: consume_confluent(eddy, t, 3, 1000)),
            ("kafka-python", produce_kafka_python,
             lambda t: consume_kafka_python(eddy, t, 3, 1000)),
            ("kcat", produce_kcat, lambda t: consume_kcat(eddy, t, 3))]:
        topic = f"self-{name}"
        create_topic(eddy, topic, 3)
        workload = Workload(1000, label=name)
        started_ms = now_ms()
        produce(eddy, topic, workload, "zstd")
        received = consume(topic)
        if name == "kcat":
            check_round_trip(workload, received, 3, headers_of=lambda i: KCAT_HEADERS,
                             timestamps=(started_ms - 1000, now_ms() + 1000))
        else:
            check_round_trip(workload, received, 3)


def test_topic_compression_type_recompresses(eddy):
    create_topic(eddy, "recompressed", 2, {"compression.type": "gzip"})
    workload = Workload(5000, label="recompressed")
    produce_confluent(eddy, "recompressed", workload, "lz4", timestamps=False)
    assert stored_codecs(eddy, "recompressed", 0) == {CODEC_IDS["gzip"]}
    check_round_trip(workload, consume_kafka_python(eddy, "recompressed", 2, 5000), 2,
                     timestamps=(workload.base_ms, now_ms() + 1000))


def test_topic_compression_type_uncompressed_decompresses(eddy):
    create_topic(eddy, "plain", 2, {"compression.type": "uncompressed"})
    workload = Workload(5000, label="plain")
    produce_confluent(eddy, "plain", workload, "zstd", timestamps=False)
    assert stored_codecs(eddy, "plain", 1) == {CODEC_IDS["none"]}
    check_round_trip(workload, consume_kcat(eddy, "plain", 2), 2,
                     timestamps=(workload.base_ms, now_ms() + 1000))


# --- Produce errors ---------------------------------------------------------------------------

def test_message_too_large_against_max_message_bytes(eddy):
    create_topic(eddy, "small", 1, {"max.message.bytes": 2000})
    error, _ = raw_produce(eddy, "small", 0, v2_batch(value=b"x" * 5000))
    assert error == MESSAGE_TOO_LARGE
    error, offset = raw_produce(eddy, "small", 0, v2_batch(value=b"x" * 500))
    assert (error, offset) == (NONE, 0), "a rejected batch must not take offsets"


def test_confluent_producer_sees_message_too_large(eddy):
    from confluent_kafka import KafkaError, Producer

    create_topic(eddy, "small", 1, {"max.message.bytes": 2000})
    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all",
                         "message.send.max.retries": 0})
    errors = []
    producer.produce("small", value=b"y" * 10000, on_delivery=lambda e, m: errors.append(e))
    assert producer.flush(20) == 0
    assert errors and errors[0] is not None
    assert errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE


def test_invalid_timestamp_against_message_timestamp_configs(eddy):
    create_topic(eddy, "strict-time", 1, {"message.timestamp.before.max.ms": 60000,
                                          "message.timestamp.after.max.ms": 60000})
    hour_ms = 3_600_000
    error, _ = raw_produce(eddy, "strict-time", 0, v2_batch(timestamp_ms=now_ms() - hour_ms))
    assert error == INVALID_TIMESTAMP
    error, _ = raw_produce(eddy, "strict-time", 0, v2_batch(timestamp_ms=now_ms() + hour_ms))
    assert error == INVALID_TIMESTAMP
    error, offset = raw_produce(eddy, "strict-time", 0, v2_batch(timestamp_ms=now_ms()))
    assert (error, offset) == (NONE, 0)


def test_log_append_time_replaces_producer_timestamps(eddy):
    create_topic(eddy, "append-time", 1, {"message.timestamp.type": "LogAppendTime"})
    before_ms = now_ms()
    error, _ = raw_produce(eddy, "append-time", 0, v2_batch(timestamp_ms=12345))
    assert error == NONE
    received = consume_confluent(eddy, "append-time", 1, 1)
    assert len(received) == 1
    assert before_ms - 1000 <= received[0].timestamp_ms <= now_ms() + 1000


def test_keyless_record_on_compacted_topic_is_invalid_record(eddy):
    create_topic(eddy, "compacted", 1, {"cleanup.policy": "compact"})
    error, _ = raw_produce(eddy, "compacted", 0, v2_batch(key=None))
    assert error == INVALID_RECORD
    error, offset = raw_produce(eddy, "compacted", 0, v2_batch(key=b"k"))
    assert (error, offset) == (NONE, 0)


def test_missing_partition_is_unknown_topic_or_partition(eddy):
    create_topic(eddy, "two", 2)
    error, _ = raw_produce(eddy, "two", 7, v2_batch())
    assert error == UNKNOWN_TOPIC_OR_PARTITION


def test_bad_crc_is_corrupt_message_and_broker_keeps_serving(eddy):
    create_topic(eddy, "crc", 1)
    batch = v2_batch(count=3, value=b"payload-payload")
    batch[-3] ^= 0xFF  # inside the records, covered by the CRC
    error, _ = raw_produce(eddy, "crc", 0, batch)
    assert error == CORRUPT_MESSAGE
    error, offset = raw_produce(eddy, "crc", 0, v2_batch(count=3))
    assert (error, offset) == (NONE, 0)
    assert eddy.alive()


def test_truncated_batch_is_corrupt_message(eddy):
    create_topic(eddy, "torn", 1)
    error, _ = raw_produce(eddy, "torn", 0, bytes(v2_batch(count=3))[:-5])
    assert error == CORRUPT_MESSAGE


@pytest.mark.parametrize("magic", [0, 1])
def test_legacy_magic_is_rejected(eddy, magic):
    """Kafka rejects magic v0/v1 in Produce v3+: ProduceRequest.validateRecords throws
    InvalidRecordException, answered INVALID_RECORD."""
    create_topic(eddy, "legacy", 1)
    error, _ = raw_produce(eddy, "legacy", 0, legacy_batch(magic))
    assert error == INVALID_RECORD
    error, offset = raw_produce(eddy, "legacy", 0, v2_batch())
    assert (error, offset) == (NONE, 0), "nothing of the legacy batch was appended"


def test_zstd_needs_produce_v7(eddy):
    create_topic(eddy, "zstd-old", 1)
    # kafka-python sends a batch uncompressed when compressing would not shrink it.
    batch = v2_batch(count=20, value=b"z" * 200, codec=4)
    assert batch[22] & 0x07 == 4, "the test batch must really be zstd-compressed"
    error, _ = raw_produce(eddy, "zstd-old", 0, batch, version=6)
    assert error == UNSUPPORTED_COMPRESSION_TYPE
    error, offset = raw_produce(eddy, "zstd-old", 0, batch, version=7)
    assert (error, offset) == (NONE, 0)


def test_two_batches_in_one_partition_are_refused(eddy):
    """Produce v3+ allows exactly one batch per partition (Kafka: INVALID_RECORD)."""
    create_topic(eddy, "two", 1)
    error, _ = raw_produce(eddy, "two", 0, bytes(v2_batch(count=2)) + bytes(v2_batch(count=3)))
    assert error == INVALID_RECORD
    error, offset = raw_produce(eddy, "two", 0, v2_batch())
    assert (error, offset) == (NONE, 0), "nothing of the refused request was appended"


def test_acks_zero_and_one_are_appended(eddy):
    from confluent_kafka import Producer

    create_topic(eddy, "acks", 1)
    for acks in ("0", "1"):
        producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": acks})
        for i in range(10):
            producer.produce("acks", key=b"%d" % i, value=acks.encode())
        assert producer.flush(20) == 0
    received = consume_confluent(eddy, "acks", 1, 20)
    assert [r.value for r in received] == [b"0"] * 10 + [b"1"] * 10
    assert [r.offset for r in received] == list(range(20))


# --- Fetch -------------------------------------------------------------------------------------

def test_fetch_long_poll_waits_for_max_wait_when_min_bytes_unmet(eddy):
    create_topic(eddy, "poll", 1)
    started = time.monotonic()
    error, high_watermark, records = raw_fetch_v4(eddy, "poll", 0, 0, max_wait_ms=1500,
                                                  min_bytes=1)
    elapsed_s = time.monotonic() - started
    assert (error, high_watermark, records) == (NONE, 0, b"")
    assert 1.4 <= elapsed_s <= 1.5 + 1.0, f"returned after {elapsed_s:.2f}s"


def test_fetch_long_poll_returns_early_when_data_arrives(eddy):
    create_topic(eddy, "poll", 1)
    produced = threading.Event()

    def produce_soon():
        time.sleep(0.5)  # the fetch is parked by then; the assertion does not depend on it
        raw_produce(eddy, "poll", 0, v2_batch(count=5))
        produced.set()

    thread = threading.Thread(target=produce_soon)
    started = time.monotonic()
    thread.start()
    error, high_watermark, records = raw_fetch_v4(eddy, "poll", 0, 0, max_wait_ms=20000,
                                                  min_bytes=1)
    elapsed_s = time.monotonic() - started
    thread.join(timeout=20)
    assert produced.is_set()
    assert error == NONE
    assert high_watermark == 5
    assert decode_batches(records) == [(0, 5)]
    assert elapsed_s < 10, f"long poll did not return early ({elapsed_s:.2f}s)"


def test_fetch_min_bytes_already_met_returns_at_once(eddy):
    create_topic(eddy, "ready", 1)
    raw_produce(eddy, "ready", 0, v2_batch(count=10))
    started = time.monotonic()
    error, _, records = raw_fetch_v4(eddy, "ready", 0, 0, max_wait_ms=30000, min_bytes=1)
    assert error == NONE and decode_batches(records) == [(0, 10)]
    assert time.monotonic() - started < 10


def test_fetch_partition_max_bytes_limits_but_returns_first_batch(eddy):
    create_topic(eddy, "sizes", 1)
    for _ in range(10):
        error, _ = raw_produce(eddy, "sizes", 0, v2_batch(count=10, value=b"z" * 1000))
        assert error == NONE
    _, _, everything = raw_fetch_v4(eddy, "sizes", 0, 0)
    batch_bytes = len(everything) // 10
    assert len(decode_batches(everything)) == 10

    _, _, limited = raw_fetch_v4(eddy, "sizes", 0, 0, partition_max_bytes=3 * batch_bytes)
    assert len(limited) <= 3 * batch_bytes
    assert [b for b, _ in decode_batches(limited)] == [0, 10, 20]

    # A first batch bigger than the limit still comes back whole (KIP-74), so consumers progress.
    _, _, tiny = raw_fetch_v4(eddy, "sizes", 0, 0, partition_max_bytes=10)
    assert decode_batches(tiny) == [(0, 10)]


def test_fetch_from_the_middle_of_a_batch_returns_that_batch(eddy):
    create_topic(eddy, "middle", 1)
    raw_produce(eddy, "middle", 0, v2_batch(count=10))
    raw_produce(eddy, "middle", 0, v2_batch(count=10))
    _, high_watermark, records = raw_fetch_v4(eddy, "middle", 0, 15)
    assert high_watermark == 20
    assert decode_batches(records) == [(10, 10)]


def test_fetch_beyond_the_end_is_offset_out_of_range(eddy):
    create_topic(eddy, "range", 1)
    raw_produce(eddy, "range", 0, v2_batch(count=3))
    error, _, _ = raw_fetch_v4(eddy, "range", 0, 4)
    assert error == OFFSET_OUT_OF_RANGE
    error, _, records = raw_fetch_v4(eddy, "range", 0, 3)
    assert (error, records) == (NONE, b"")


def test_fetch_unknown_topic(eddy):
    error, _, _ = raw_fetch_v4(eddy, "nothing-here", 0, 0)
    assert error == UNKNOWN_TOPIC_OR_PARTITION


def test_fetch_v13_by_topic_id(eddy):
    create_topic(eddy, "by-id", 1)
    raw_produce(eddy, "by-id", 0, v2_batch(count=4))
    topic_id = topic_ids(eddy, ["by-id"])["by-id"]
    assert topic_id != bytes(16)
    error, found_id, partition_error, high_watermark, records = fetch_v13(eddy, topic_id, 0, 0)
    assert (error, found_id, partition_error, high_watermark) == (NONE, topic_id, NONE, 4)
    assert decode_batches(records) == [(0, 4)]

    unknown = bytes(range(1, 17))
    error, found_id, partition_error, _, _ = fetch_v13(eddy, unknown, 0, 0)
    assert found_id == unknown
    assert partition_error == UNKNOWN_TOPIC_ID or error == UNKNOWN_TOPIC_ID
