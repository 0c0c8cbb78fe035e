"""Nothing acknowledged is lost: kill -9 right after (and during) acknowledged produces, and
segment tails cut or corrupted while the broker is down."""

import re
import threading
from pathlib import Path

import pytest

from clients import (Workload, check_round_trip, consume_confluent, create_topic, decode_batches,
                     now_ms, produce_confluent, raw_fetch_v4, raw_list_offsets, raw_produce,
                     v2_batch, wait_for_partitions, wait_until)

NONE = 0
EARLIEST, LATEST = -2, -1


def restart(eddy_factory, broker, name="node"):
    return eddy_factory(name, port=broker.port)


def offsets(broker, topic, partition=0):
    error, _, earliest = raw_list_offsets(broker, topic, partition, EARLIEST)
    assert error == NONE
    error, _, latest = raw_list_offsets(broker, topic, partition, LATEST)
    assert error == NONE
    return earliest, latest


def active_segment(broker, topic, partition=0) -> Path:
    logs = sorted((broker.data_dir / f"{topic}-{partition}").glob("*.log"))
    assert logs, f"no segment in {broker.data_dir / f'{topic}-{partition}'}"
    return logs[-1]


def batch_starts(segment: Path) -> list:
    """Byte positions of the batches in a segment file, read with the documented layout."""
    import struct

    data = segment.read_bytes()
    starts, position = [], 0
    while position + 12 <= len(data):
        _, length = struct.unpack_from(">qi", data, position)
        starts.append(position)
        position += 12 + length
    assert position == len(data), "segment does not end on a batch boundary"
    return starts


def produce_batches(broker, topic, batches, per_batch=10):
    for n in range(batches):
        error, base = raw_produce(broker, topic, 0, v2_batch(count=per_batch,
                                                             value=b"batch-%d" % n))
        assert (error, base) == (NONE, n * per_batch)


def read_all(broker, topic, partition=0):
    """[(base offset, count)] of every batch, following the log from its start."""
    found, offset = [], 0
    for _ in range(10000):
        error, high_watermark, records = raw_fetch_v4(broker, topic, partition, offset)
        assert error == NONE
        batches = decode_batches(records)
        if not batches:
            assert offset == high_watermark
            return found
        found += batches
        offset = batches[-1][0] + batches[-1][1]
    raise AssertionError("log does not end")


def test_kill9_right_after_acknowledged_produces(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "durable", 4)
    workload = Workload(20000, label="durable")
    delivered = produce_confluent(first, "durable", workload, "lz4")
    first.kill9()

    second = restart(eddy_factory, first)
    wait_for_partitions(second, "durable", 4)
    received = consume_confluent(second, "durable", 4, workload.count)
    check_round_trip(workload, received, 4)
    assert sorted((r.partition, r.offset) for r in received) == sorted(delivered)

    error, base = raw_produce(second, "durable", 0, v2_batch(count=2))
    assert error == NONE
    assert base == sum(1 for p, _ in delivered if p == 0), "appends continue at the end"


def test_kill9_during_a_produce_stream_keeps_every_acknowledged_record(eddy_factory):
    from confluent_kafka import Producer

    first = eddy_factory("node")
    create_topic(first, "stream", 2)
    acknowledged, lock, enough = {}, threading.Lock(), threading.Event()

    def on_delivery(error, message):
        if error is None:
            with lock:
                acknowledged[(message.partition(), message.offset())] = message.value()
                if len(acknowledged) >= 5000:
                    enough.set()

    producer = Producer({"bootstrap.servers": first.bootstrap, "acks": "all", "linger.ms": 5,
                         "message.timeout.ms": 5000, "retries": 0})
    i = 0
    while not enough.is_set() and i < 2_000_000:
        try:
            producer.produce("stream", key=b"k%d" % i, value=b"v%d" % i,
                             on_delivery=on_delivery)
            i += 1
        except BufferError:  # local queue full: wait for deliveries
            producer.poll(0.05)
        producer.poll(0)
    first.kill9()  # producer still has requests in flight
    producer.flush(15)
    with lock:
        kept = dict(acknowledged)
    assert len(kept) >= 5000

    second = restart(eddy_factory, first)
    wait_for_partitions(second, "stream", 2)
    high = {p: offsets(second, "stream", p)[1] for p in (0, 1)}
    received = consume_confluent(second, "stream", 2, sum(high.values()))
    by_position = {(r.partition, r.offset): r.value for r in received}
    missing = [pos for pos in kept if by_position.get(pos) != kept[pos]]
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {missing[:5]}"


def test_clean_restart_keeps_data_and_marks_clean_shutdown(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "clean", 1)
    produce_batches(first, "clean", 5)
    assert first.stop() == 0
    assert (first.data_dir / ".kafka_cleanshutdown").exists()

    second = restart(eddy_factory, first)
    assert offsets(second, "clean") == (0, 50)
    assert read_all(second, "clean") == [(n * 10, 10) for n in range(5)]
    assert not (second.data_dir / ".kafka_cleanshutdown").exists()


def test_tail_cut_mid_batch_is_truncated(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "cut", 1)
    produce_batches(first, "cut", 6)
    first.kill9()
    segment = active_segment(first, "cut")
    last_start = batch_starts(segment)[-1]
    with open(segment, "r+b") as file:
        file.truncate(last_start + 30)  # mid-header of the last batch

    second = restart(eddy_factory, first)
    assert offsets(second, "cut") == (0, 50)
    assert read_all(second, "cut") == [(n * 10, 10) for n in range(5)]
    assert segment.stat().st_size == last_start, "the torn tail is cut off the file"
    error, base = raw_produce(second, "cut", 0, v2_batch(count=3))
    assert (error, base) == (NONE, 50)
    assert read_all(second, "cut")[-1] == (50, 3)


def test_tail_cut_inside_records_is_truncated(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "cut2", 1)
    produce_batches(first, "cut2", 4)
    first.kill9()
    segment = active_segment(first, "cut2")
    with open(segment, "r+b") as file:
        file.truncate(segment.stat().st_size - 7)

    second = restart(eddy_factory, first)
    assert offsets(second, "cut2") == (0, 30)
    assert read_all(second, "cut2") == [(0, 10), (10, 10), (20, 10)]
    error, base = raw_produce(second, "cut2", 0, v2_batch())
    assert (error, base) == (NONE, 30)


def test_corrupted_last_batch_is_truncated(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "flip", 1)
    produce_batches(first, "flip", 5)
    first.kill9()
    segment = active_segment(first, "flip")
    last_start = batch_starts(segment)[-1]
    data = bytearray(segment.read_bytes())
    for position in range(len(data) - 8, len(data) - 4):  # inside the CRC-covered records
        data[position] ^= 0x5A
    segment.write_bytes(bytes(data))

    second = restart(eddy_factory, first)
    assert offsets(second, "flip") == (0, 40)
    assert read_all(second, "flip") == [(n * 10, 10) for n in range(4)]
    assert segment.stat().st_size == last_start
    error, base = raw_produce(second, "flip", 0, v2_batch(count=5))
    assert (error, base) == (NONE, 40)
    received = consume_confluent(second, "flip", 1, 45)
    assert [r.offset for r in received] == list(range(45))
    assert received[0].value == b"batch-0" and received[39].value == b"batch-3"


def test_corruption_in_the_middle_ends_the_log_there(eddy_factory):
    """As Kafka's recovery: the first batch that fails its check ends the log."""
    first = eddy_factory("node")
    create_topic(first, "middle", 1)
    produce_batches(first, "middle", 6)
    first.kill9()
    segment = active_segment(first, "middle")
    third = batch_starts(segment)[2]
    data = bytearray(segment.read_bytes())
    data[third + 70] ^= 0xFF
    segment.write_bytes(bytes(data))

    second = restart(eddy_factory, first)
    assert offsets(second, "middle") == (0, 20)
    assert read_all(second, "middle") == [(0, 10), (10, 10)]


def test_missing_indexes_are_rebuilt(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "indexed", 1, {"index.interval.bytes": 128})
    produce_batches(first, "indexed", 50)
    first.kill9()
    partition_dir = first.data_dir / "indexed-0"
    for index in list(partition_dir.glob("*.index")) + list(partition_dir.glob("*.timeindex")):
        index.unlink()

    second = restart(eddy_factory, first)
    assert offsets(second, "indexed") == (0, 500)
    for offset in (0, 123, 250, 499):
        error, _, records = raw_fetch_v4(second, "indexed", 0, offset)
        assert error == NONE
        assert decode_batches(records)[0] == (offset // 10 * 10, 10)
    assert list(partition_dir.glob("*.index")), "the offset index is rebuilt"


def recovery_points(broker) -> dict:
    """{(topic, partition): offset} from the recovery-point checkpoint (Kafka's text format:
    version, count, then one "topic partition offset" line each)."""
    path = broker.data_dir / "recovery-point-offset-checkpoint"
    if not path.exists():
        return {}
    lines = path.read_text().split("\n")
    points = {}
    for line in lines[2:]:
        if line.strip():
            topic, partition, offset = line.split()
            points[(topic, int(partition))] = int(offset)
    return points


def scanned_bytes_at_start(log_text: str, topic: str) -> dict:
    """{partition: bytes} from the start-up lines "storage: loaded <dir>/<topic>-<p> (...,
    scanned N bytes)"."""
    pattern = re.compile(r"storage: loaded \S*/" + re.escape(topic) +
                         r"-(\d+) \(.*scanned (\d+) bytes\)")
    return {int(m.group(1)): int(m.group(2)) for m in pattern.finditer(log_text)}


@pytest.mark.parametrize("sync_interval_ms", [500, 0])
def test_background_sync_bounds_the_scan_after_kill9(eddy_factory, sync_interval_ms):
    """eddy.log.sync.interval.ms: once the recovery points reach the log ends, a crash start
    checks nothing; with the sync off it rescans the whole active segments."""
    overrides = {"eddy.log.sync.interval.ms": sync_interval_ms}
    first = eddy_factory("node", overrides=overrides)
    create_topic(first, "synced", 4)
    workload = Workload(200_000, label="synced")
    start_ms = now_ms()
    delivered = produce_confluent(first, "synced", workload, "none", timestamps=False)
    ends = {("synced", p): 1 + max(o for q, o in delivered if q == p) for p in range(4)}
    if sync_interval_ms > 0:
        wait_until(lambda: all(recovery_points(first).get(tp) == end for tp, end in ends.items()),
                   30, "the recovery-point checkpoint to reach the log ends")
    log_bytes = sum(active_segment(first, "synced", p).stat().st_size for p in range(4))
    assert log_bytes > 15_000_000, "the test writes ~20 MB"
    first.kill9()

    log_before_restart = len(first.log())
    second = eddy_factory("node", overrides=overrides, port=first.port)
    scanned = scanned_bytes_at_start(second.log()[log_before_restart:], "synced")
    assert sorted(scanned) == [0, 1, 2, 3], second.log()[log_before_restart:]
    if sync_interval_ms > 0:
        assert scanned == {p: 0 for p in range(4)}
    else:
        assert sum(scanned.values()) == log_bytes
    wait_for_partitions(second, "synced", 4)
    received = consume_confluent(second, "synced", 4, workload.count)
    check_round_trip(workload, received, 4, timestamps=(start_ms, now_ms()))
    assert sorted((r.partition, r.offset) for r in received) == sorted(delivered)
