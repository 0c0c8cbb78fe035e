"""Regression tests for what a black-box fuzz of the broker found in Produce (issue 10,
defects 1-3): every record of every batch is validated before anything reaches the log, so a
hostile batch gets Kafka's error and leaves the partition exactly as it was, across restarts.
Real broker process, requests encoded by kafka-python."""

import re
import struct
import zlib

import pytest

from clients import (create_topic, decode_batches, kp_exchange, now_ms, raw_fetch_v4,
                     raw_list_offsets, raw_produce, v2_batch)
from group_clients import wait_for_coordinator

NONE = 0
INVALID_TOPIC_EXCEPTION = 17
INVALID_RECORD = 87
PRODUCE_VERSION = 8  # carries error_message and record_errors

RECORD_COUNT_OFFSET = 57
LAST_OFFSET_DELTA_OFFSET = 23
ATTRIBUTES_OFFSET = 21
CRC_OFFSET = 17
HEADER_BYTES = 61


def with_crc(batch: bytearray) -> bytes:
    from kafka.record.util import calc_crc32c

    struct.pack_into(">I", batch, CRC_OFFSET, calc_crc32c(bytes(batch[ATTRIBUTES_OFFSET:])))
    return bytes(batch)


def claim_count(batch: bytearray, count: int) -> bytes:
    struct.pack_into(">i", batch, LAST_OFFSET_DELTA_OFFSET, count - 1)
    struct.pack_into(">i", batch, RECORD_COUNT_OFFSET, count)
    return with_crc(batch)


def with_payload(template: bytearray, payload: bytes, codec: int, count: int = 1) -> bytes:
    """`template`'s header around another stored payload, marked with `codec`."""
    batch = bytearray(template[:HEADER_BYTES]) + payload
    struct.pack_into(">i", batch, 8, len(batch) - 12)
    attributes, = struct.unpack_from(">h", batch, ATTRIBUTES_OFFSET)
    struct.pack_into(">h", batch, ATTRIBUTES_OFFSET, (attributes & ~7) | codec)
    return claim_count(batch, count)


def produce_answer(broker, topic: str, records: bytes) -> tuple:
    """(error code, base offset, error message) of one partition's Produce v8 answer. The
    request is kafka-python's; the answer is decoded here (kafka-python's v8 response schema
    stops before record_errors and error_message)."""
    from kafka.protocol.produce import ProduceRequest

    from raw_client import Cursor, RawConnection

    # Produce v8's request body is v7's (v8 added response fields only).
    request = ProduceRequest[7](transactional_id=None, required_acks=-1, timeout=10000,
                                topics=[(topic, [(0, records)])])
    body = request.encode()  # kafka-python's encode() needs the object kept alive
    with RawConnection(broker.port, timeout_s=30) as connection:
        connection.send_request(0, PRODUCE_VERSION, body, correlation_id=5)
        frame = connection.read_frame()
    assert frame is not None, "broker closed the connection"
    cursor = Cursor(frame)

    def string():
        size = cursor.take("h")
        if size < 0:
            return None
        text = frame[cursor.position:cursor.position + size].decode()
        cursor.position += size
        return text

    assert cursor.take("i") == 5  # correlation id
    assert cursor.take("i") == 1  # topics
    assert string() == topic
    assert cursor.take("i") == 1  # partitions
    index, error, base_offset, _, _ = cursor.take("ihqqq")
    assert index == 0
    for _ in range(max(cursor.take("i"), 0)):  # record errors
        cursor.take("i")
        string()
    return error, base_offset, string()


def log_end(broker, topic: str) -> int:
    error, _, offset = raw_list_offsets(broker, topic, 0, -1)
    assert error == NONE
    return offset


def segment_files(broker, topic: str) -> list:
    return sorted((broker.data_dir / f"{topic}-0").glob("*.log"))


def test_an_inflated_record_count_is_refused_and_moves_nothing(eddy_factory):
    """The fuzz find: 2^31-1 records claimed, 3 held, accepted with error 0; each such request
    moved the log end by 2^31-1 and rolled a segment until the descriptors ran out."""
    broker = eddy_factory()
    create_topic(broker, "inflated", 1)
    for _ in range(200):
        error, base, message = produce_answer(broker, "inflated",
                                              claim_count(v2_batch(count=3), 2**31 - 1))
        assert error == INVALID_RECORD, message
        assert base == -1
    assert "record count" in message
    assert log_end(broker, "inflated") == 0
    assert len(segment_files(broker, "inflated")) == 1

    error, base, _ = produce_answer(broker, "inflated", bytes(v2_batch(count=4)))
    assert (error, base) == (NONE, 0)
    broker.stop()
    broker.start()
    assert log_end(broker, "inflated") == 4
    _, _, records = raw_fetch_v4(broker, "inflated", 0, 0)
    assert decode_batches(records) == [(0, 4)]


@pytest.mark.parametrize("shape", ["count too low", "junk after the records",
                                   "record longer than the batch", "bad varint",
                                   "offset deltas out of order"])
def test_malformed_records_are_refused(eddy, shape):
    batch = v2_batch(count=3, value=b"value")
    records_start = HEADER_BYTES
    if shape == "count too low":
        hostile = claim_count(batch, 2)
    elif shape == "junk after the records":
        hostile = with_payload(batch, bytes(batch[records_start:]) + b"\x00\x01", 0, 3)
    elif shape == "record longer than the batch":
        body = bytearray(batch[records_start:])
        body[0] = 0x7e  # the first record claims 63 bytes
        hostile = with_payload(batch, bytes(body), 0, 3)
    elif shape == "bad varint":
        hostile = with_payload(batch, b"\xff\xff\xff\xff\xff\x01" + bytes(batch[records_start:]),
                               0, 3)
    else:
        one = v2_batch(count=1, value=b"value")
        first = bytes(one[records_start:])
        second = bytearray(first)
        second[3] = 0x02  # offset delta 1 (length, attributes, timestamp delta 0, offset delta)
        hostile = with_payload(one, bytes(second) + first, 0, 2)
    create_topic(eddy, "malformed", 1)
    error, _, message = produce_answer(eddy, "malformed", hostile)
    assert error == INVALID_RECORD, (shape, message)
    assert log_end(eddy, "malformed") == 0


@pytest.mark.parametrize("codec", [1, 2, 3, 4])
def test_garbage_marked_compressed_is_refused(eddy, codec):
    """The fuzz find: 200 random bytes marked gzip were stored on a delete-policy topic."""
    create_topic(eddy, "garbage", 1)
    garbage = bytes((i * 37 + 11) % 256 for i in range(200))
    error, _, message = produce_answer(eddy, "garbage", with_payload(v2_batch(), garbage, codec))
    assert error == INVALID_RECORD, message
    assert "decompression failed" in message
    assert log_end(eddy, "garbage") == 0


def gzip_bomb(inflated_bytes: int) -> bytes:
    """One record whose value is `inflated_bytes` of zeros, gzip-compressed (about 1 MB for
    1 GiB)."""
    from kafka.record.util import encode_varint

    def varint(value: int) -> bytes:
        out = bytearray()
        encode_varint(value, out.append)
        return bytes(out)

    value_bytes = inflated_bytes - 64
    body_head = b"\x00" + varint(0) + varint(0) + varint(-1) + varint(value_bytes)
    body_size = len(body_head) + value_bytes + 1
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
    out = [compressor.compress(varint(body_size) + body_head)]
    chunk = bytes(1 << 20)
    remaining = value_bytes
    while remaining > 0:
        piece = chunk if remaining >= len(chunk) else bytes(remaining)
        out.append(compressor.compress(piece))
        remaining -= len(piece)
    out.append(compressor.compress(b"\x00"))  # no headers
    out.append(compressor.flush())
    return b"".join(out)


def test_a_decompression_bomb_is_refused(eddy):
    """The fuzz find: a 1 MB gzip batch inflating to 1 GiB was accepted, and every old fetcher
    then paid 1.5-2 s of CPU to down-convert it."""
    create_topic(eddy, "bomb", 1)
    bomb = gzip_bomb(1 << 30)
    assert len(bomb) < 2 * 10**6
    error, _, message = produce_answer(eddy, "bomb", with_payload(v2_batch(), bomb, 1))
    assert error == INVALID_RECORD, message
    assert "allowed maximum" in message
    assert log_end(eddy, "bomb") == 0
    # Within the bound, the same shape is an ordinary batch.
    error, base, message = produce_answer(eddy, "bomb",
                                          with_payload(v2_batch(), gzip_bomb(1 << 20), 1))
    assert (error, base) == (NONE, 0), message


def test_clients_cannot_produce_to_internal_topics(eddy_factory):
    """The fuzz find: a client's records in __consumer_offsets made the next start log
    unreadable records. Kafka answers INVALID_TOPIC_EXCEPTION."""
    broker = eddy_factory()
    wait_for_coordinator(broker, "any-group")  # creates __consumer_offsets
    before = log_end(broker, "__consumer_offsets")
    for partition in range(3):
        error, base = raw_produce(broker, "__consumer_offsets", partition, v2_batch(),
                                  version=7)
        assert (error, base) == (INVALID_TOPIC_EXCEPTION, -1)
    assert log_end(broker, "__consumer_offsets") == before
    broker.stop()
    broker.start()
    wait_for_coordinator(broker, "any-group")  # the coordinator has loaded the topic
    log = broker.log()
    loads = re.findall(r"\((\d+) unreadable\)", log)
    assert loads and all(count == "0" for count in loads), log
    assert "unreadable offset" not in log and "unreadable metadata" not in log


def test_a_wrong_max_timestamp_is_corrected(eddy):
    """Kafka sets a CreateTime batch's max timestamp from its records; ListOffsets by time then
    finds them."""
    create_topic(eddy, "maxts", 1)
    timestamp = now_ms() - 60_000
    batch = v2_batch(count=2, timestamp_ms=timestamp)
    struct.pack_into(">q", batch, 35, 5)  # max timestamp field
    error, base, message = produce_answer(eddy, "maxts", with_crc(batch))
    assert (error, base) == (NONE, 0), message
    error, found_timestamp, offset = raw_list_offsets(eddy, "maxts", 0, timestamp)
    assert (error, found_timestamp, offset) == (NONE, timestamp, 0)
