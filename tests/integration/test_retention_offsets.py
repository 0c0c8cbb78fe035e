"""Retention, the log start offset, ListOffsets (earliest, latest, by timestamp), consumers
below the log start offset, and DeleteRecords."""

import pytest

from clients import (Workload, consume_confluent, create_topic, decode_batches, kp_exchange,
                     now_ms, produce_confluent, raw_fetch_v4, raw_list_offsets, raw_produce,
                     v2_batch, wait_until)

NONE = 0
OFFSET_OUT_OF_RANGE = 1
EARLIEST, LATEST = -2, -1
MIB = 1024 * 1024


def earliest(broker, topic, partition=0):
    error, _, offset = raw_list_offsets(broker, topic, partition, EARLIEST)
    assert error == NONE
    return offset


def latest(broker, topic, partition=0):
    error, _, offset = raw_list_offsets(broker, topic, partition, LATEST)
    assert error == NONE
    return offset


def segment_bases(broker, topic, partition=0):
    return sorted(int(p.stem) for p in (broker.data_dir / f"{topic}-{partition}").glob("*.log"))


def produce_big_batches(broker, topic, batches, timestamp_ms, first_base):
    """Batches of 10 records of ~20 KB each (~200 KB a batch): five fill a 1 MiB segment."""
    for n in range(batches):
        batch = v2_batch(count=10, value=b"r" * 20000, timestamp_ms=timestamp_ms)
        error, base = raw_produce(broker, topic, 0, batch)
        assert (error, base) == (NONE, first_base + n * 10)


# --- retention ---------------------------------------------------------------------------------

def test_time_retention_deletes_old_segments_and_moves_log_start(eddy_factory):
    broker = eddy_factory("node", overrides={"log.retention.check.interval.ms": 200})
    create_topic(broker, "aging", 1, {"segment.bytes": MIB, "retention.ms": 3_600_000})
    two_hours_ago = now_ms() - 7_200_000
    produce_big_batches(broker, "aging", 10, two_hours_ago, 0)  # two full segments, expired
    produce_big_batches(broker, "aging", 3, now_ms(), 100)  # a fresh segment
    assert latest(broker, "aging") == 130

    wait_until(lambda: earliest(broker, "aging") == 100, 30, "log start offset to reach 100")
    wait_until(lambda: segment_bases(broker, "aging")[0] == 100, 30, "old segments deleted")
    assert latest(broker, "aging") == 130
    error, _, records = raw_fetch_v4(broker, "aging", 0, 100)
    assert error == NONE and decode_batches(records)[0] == (100, 10)
    error, _, _ = raw_fetch_v4(broker, "aging", 0, 50)
    assert error == OFFSET_OUT_OF_RANGE


def test_size_retention_keeps_the_newest_segments(eddy_factory):
    broker = eddy_factory("node", overrides={"log.retention.check.interval.ms": 200})
    create_topic(broker, "sized", 1, {"segment.bytes": MIB, "retention.bytes": 2 * MIB})
    produce_big_batches(broker, "sized", 23, now_ms(), 0)  # segments at 0, 50, 100, 150, 200
    wait_until(lambda: segment_bases(broker, "sized") == [100, 150, 200], 30, "size retention")
    wait_until(lambda: earliest(broker, "sized") == 100, 30, "log start offset to reach 100")
    assert latest(broker, "sized") == 230


def allocated_bytes(path):
    return path.stat().st_blocks * 512


def test_preallocate_reserves_whole_segments_and_a_roll_releases_the_rest(eddy):
    """Topic config `preallocate`: the active segment's disk blocks are reserved up front (the
    file size stays the data's size); rolling releases what the sealed segment did not use."""
    create_topic(eddy, "reserved", 1, {"segment.bytes": 4 * MIB, "preallocate": "true"})
    produce_big_batches(eddy, "reserved", 1, now_ms(), 0)
    first = eddy.data_dir / "reserved-0" / "00000000000000000000.log"
    assert first.stat().st_size < MIB
    assert allocated_bytes(first) >= 4 * MIB
    produce_big_batches(eddy, "reserved", 25, now_ms(), 10)  # about 5 MiB: one roll
    assert len(segment_bases(eddy, "reserved")) == 2
    assert allocated_bytes(first) <= first.stat().st_size + 4096


def test_retention_survives_restart(eddy_factory):
    first = eddy_factory("node", overrides={"log.retention.check.interval.ms": 200})
    create_topic(first, "aging", 1, {"segment.bytes": MIB, "retention.ms": 3_600_000})
    produce_big_batches(first, "aging", 5, now_ms() - 7_200_000, 0)
    produce_big_batches(first, "aging", 1, now_ms(), 50)
    wait_until(lambda: earliest(first, "aging") == 50, 30, "retention")
    assert first.stop() == 0
    second = eddy_factory("node", port=first.port)
    assert (earliest(second, "aging"), latest(second, "aging")) == (50, 60)


# --- ListOffsets -------------------------------------------------------------------------------

def test_list_offsets_earliest_latest_and_by_timestamp(eddy):
    from confluent_kafka import Consumer, TopicPartition

    create_topic(eddy, "times", 1)
    workload = Workload(1000, label="times")
    workload.timestamp_ms = lambda i: workload.base_ms + 10 * i
    produce_confluent(eddy, "times", workload, "snappy")
    base = workload.base_ms
    assert (earliest(eddy, "times"), latest(eddy, "times")) == (0, 1000)

    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": "times",
                         "enable.auto.commit": False})
    try:
        queries = {base - 5000: 0, base: 0, base + 1: 1, base + 10 * 500: 500,
                   base + 10 * 500 + 9: 501, base + 10 * 999: 999, base + 10 * 1000: -1}
        for ts, expected in queries.items():  # one query each: a partition appears once
            found, = consumer.offsets_for_times([TopicPartition("times", 0, ts)], timeout=10)
            assert (found.error, found.offset) == (None, expected), f"timestamp base+{ts - base}"
        assert consumer.get_watermark_offsets(TopicPartition("times", 0), timeout=10,
                                              cached=False) == (0, 1000)
    finally:
        consumer.close()

    error, found_ts, offset = raw_list_offsets(eddy, "times", 0, base + 10 * 250 + 3)
    assert (error, found_ts, offset) == (NONE, base + 10 * 251, 251)


# --- below the log start offset ----------------------------------------------------------------

def delete_records(broker, topic, partition, offset, version=0):
    """DeleteRecords v0/v1 (kafka-python has no class for it): (error, low watermark)."""
    from kafka.protocol.api import Request, Response
    from kafka.protocol.types import Array, Int16, Int32, Int64, Schema, String

    class DeleteRecordsResponse(Response):
        API_KEY, API_VERSION = 21, version
        SCHEMA = Schema(('throttle_time_ms', Int32),
                        ('topics', Array(('name', String('utf-8')), ('partitions', Array(
                            ('partition', Int32), ('low_watermark', Int64),
                            ('error_code', Int16))))))

    class DeleteRecordsRequest(Request):
        API_KEY, API_VERSION, RESPONSE_TYPE = 21, version, DeleteRecordsResponse
        SCHEMA = Schema(('topics', Array(('name', String('utf-8')), ('partitions', Array(
                            ('partition', Int32), ('offset', Int64))))),
                        ('timeout_ms', Int32))

    response = kp_exchange(broker, DeleteRecordsRequest(topics=[(topic, [(partition, offset)])],
                                                        timeout_ms=10000))
    (_, partitions), = response.topics
    _, low_watermark, error = partitions[0]
    return error, low_watermark


@pytest.mark.parametrize("version", [0, 1])
def test_delete_records_moves_the_log_start_offset(eddy, version):
    create_topic(eddy, "trim", 1)
    for _ in range(10):
        raw_produce(eddy, "trim", 0, v2_batch(count=10))
    assert delete_records(eddy, "trim", 0, 35, version) == (NONE, 35)
    assert earliest(eddy, "trim") == 35
    error, _, records = raw_fetch_v4(eddy, "trim", 0, 35)
    assert error == NONE and decode_batches(records)[0] == (30, 10)  # the batch holding 35
    error, _, _ = raw_fetch_v4(eddy, "trim", 0, 10)
    assert error == OFFSET_OUT_OF_RANGE
    received = consume_confluent(eddy, "trim", 1, 65)
    assert [r.offset for r in received] == list(range(35, 100)), "records below 35 are hidden"

    assert delete_records(eddy, "trim", 0, 20, version) == (NONE, 35), "never moves back"
    assert delete_records(eddy, "trim", 0, -1, version) == (NONE, 100), "-1: high watermark"
    assert delete_records(eddy, "trim", 0, 101, version)[0] == OFFSET_OUT_OF_RANGE


def test_delete_records_survives_restart(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "trim", 1)
    for _ in range(5):
        raw_produce(first, "trim", 0, v2_batch(count=10))
    assert delete_records(first, "trim", 0, 25) == (NONE, 25)
    assert first.stop() == 0
    second = eddy_factory("node", port=first.port)
    assert (earliest(second, "trim"), latest(second, "trim")) == (25, 50)


def trimmed_topic(broker, topic="below"):
    create_topic(broker, topic, 1)
    for n in range(10):
        raw_produce(broker, topic, 0, v2_batch(count=10, value=b"%d" % n))
    assert delete_records(broker, topic, 0, 40) == (NONE, 40)


def test_confluent_consumer_below_log_start_resets_to_earliest(eddy):
    from confluent_kafka import Consumer, TopicPartition

    trimmed_topic(eddy)
    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": "reset",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        consumer.assign([TopicPartition("below", 0, 5)])
        message = wait_until(lambda: consumer.poll(1), 30, "a record after the reset")
        assert message.error() is None, message.error()
        assert message.offset() == 40
    finally:
        consumer.close()


def test_confluent_consumer_below_log_start_resets_to_latest(eddy):
    from confluent_kafka import Consumer, TopicPartition

    trimmed_topic(eddy)
    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": "reset",
                         "enable.auto.commit": False, "auto.offset.reset": "latest"})
    try:
        consumer.assign([TopicPartition("below", 0, 5)])
        # The reset lands at the end at some point we cannot observe, so keep producing until a
        # record arrives: whichever it is, it must be new, never one of the trimmed or old ones.
        message = None
        for _ in range(30):
            raw_produce(eddy, "below", 0, v2_batch(count=1, value=b"fresh"))
            message = consumer.poll(1)
            if message is not None:
                break
        assert message is not None, "nothing consumed after the reset"
        assert message.error() is None, message.error()
        assert message.offset() >= 100 and message.value() == b"fresh"
    finally:
        consumer.close()


def test_confluent_consumer_without_reset_policy_gets_offset_out_of_range(eddy):
    from confluent_kafka import Consumer, KafkaError, TopicPartition

    trimmed_topic(eddy)
    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": "reset",
                         "enable.auto.commit": False, "auto.offset.reset": "error"})
    try:
        consumer.assign([TopicPartition("below", 0, 5)])
        message = wait_until(lambda: consumer.poll(1), 30, "an error event")
        assert message.error() is not None
        assert message.error().code() == KafkaError._AUTO_OFFSET_RESET
    finally:
        consumer.close()


def test_kafka_python_consumer_below_log_start_resets_to_earliest(eddy):
    from kafka import KafkaConsumer, TopicPartition

    trimmed_topic(eddy)
    consumer = KafkaConsumer(bootstrap_servers=eddy.bootstrap, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partition = TopicPartition("below", 0)
        consumer.assign([partition])
        consumer.seek(partition, 5)
        batches = wait_until(lambda: consumer.poll(timeout_ms=1000), 30, "records")
        first = batches[partition][0]
        assert first.offset == 40
        assert first.value == b"4"
    finally:
        consumer.close()


def test_raw_fetch_below_log_start_reports_log_start(eddy):
    trimmed_topic(eddy)
    error, high_watermark, records = raw_fetch_v4(eddy, "below", 0, 39)
    assert (error, records) == (OFFSET_OUT_OF_RANGE, b"")
    assert high_watermark in (-1, 100)  # Kafka sends -1 with an error
