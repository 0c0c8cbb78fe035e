"""Hostile and malformed input: each bad connection is closed (or answered with an error),
the broker logs why, and it keeps serving well-behaved clients."""

import random
import struct
import time

import pytest

from raw_client import RawConnection, compact_string, request_header, uvarint

API_VERSIONS = 18
METADATA = 3


def assert_still_serving(eddy):
    from confluent_kafka.admin import AdminClient

    assert eddy.alive(), eddy.log()
    metadata = AdminClient({"bootstrap.servers": eddy.bootstrap}).list_topics(timeout=10)
    assert list(metadata.brokers) == [1]


def expect_closed(eddy, payload: bytes):
    with RawConnection(eddy.port) as connection:
        connection.send_raw(payload)
        assert connection.is_closed_by_peer(), f"broker kept the connection open for {payload[:16]!r}"


def frame(body: bytes) -> bytes:
    return struct.pack(">i", len(body)) + body


HOSTILE_PAYLOADS = {
    "oversize length": struct.pack(">i", 0x7FFFFFFF) + b"x" * 16,
    "just over socket.request.max.bytes": struct.pack(">i", 104857601),
    "negative length": struct.pack(">i", -1),
    "most negative length": struct.pack(">i", -0x80000000),
    "frame shorter than a header": frame(b"\x00\x12"),
    "unknown API key": frame(request_header(999, 0, 1, "x", False)),
    "negative API key": frame(request_header(-7, 0, 1, "x", False)),
    "unsupported Metadata version": frame(request_header(METADATA, 13, 1, "x", False)),
    "client id longer than the frame": frame(struct.pack(">hhih", METADATA, 1, 1, 30000) + b"ab"),
    "Metadata topic count beyond the frame":
        frame(request_header(METADATA, 1, 1, "x", False) + struct.pack(">i", 0x7FFFFFFF)),
    "Metadata v9 compact array count beyond the frame":
        frame(request_header(METADATA, 9, 1, "x", True) + uvarint(0xFFFFFFF)),
    "ApiVersions v3 string length beyond the frame":
        frame(request_header(API_VERSIONS, 3, 1, "x", True) + uvarint(5000) + b"abc"),
    "tagged field size beyond the frame":
        frame(request_header(API_VERSIONS, 3, 1, "x", True) + compact_string("a")
              + compact_string("1") + uvarint(1) + uvarint(0) + uvarint(1000)),
    "varint longer than 5 bytes":
        frame(request_header(API_VERSIONS, 3, 1, "x", True) + b"\xff" * 12),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PAYLOADS))
def test_hostile_frame_closes_only_its_connection(eddy, case):
    expect_closed(eddy, HOSTILE_PAYLOADS[case])
    assert_still_serving(eddy)


def test_reasons_are_logged(eddy):
    for payload in HOSTILE_PAYLOADS.values():
        expect_closed(eddy, payload)
    log = eddy.log()
    assert "outside [0, socket.request.max.bytes=104857600]" in log
    assert "unknown API key 999" in log
    assert "unsupported version v13 of Metadata (key 3)" in log
    assert "implemented v0-v12" in log
    assert "malformed body in Metadata (key 3) v1" in log


def test_truncated_frame_then_disconnect(eddy):
    with RawConnection(eddy.port) as connection:
        connection.send_raw(struct.pack(">i", 100) + b"only ten b")
    assert_still_serving(eddy)


def test_garbage_bytes(eddy):
    rng = random.Random(1234)
    for _ in range(20):
        with RawConnection(eddy.port) as connection:
            try:
                connection.send_raw(bytes(rng.getrandbits(8) for _ in range(4096)))
                connection.is_closed_by_peer()
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed while we were still writing: also a correct outcome
    assert_still_serving(eddy)


def test_random_bodies_behind_valid_headers(eddy):
    """Random bodies for every implemented API and version: answered or closed, never a crash."""
    rng = random.Random(99)
    for attempt in range(600):
        api_key = rng.choice([API_VERSIONS, METADATA])
        version = rng.randint(0, 4 if api_key == API_VERSIONS else 12)
        flexible = version >= (3 if api_key == API_VERSIONS else 9)
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
        with RawConnection(eddy.port) as connection:
            connection.send_request(api_key, version, body, correlation_id=attempt,
                                    flexible=flexible)
            response = connection.read_frame()
            if response is not None:
                assert struct.unpack_from(">i", response, 0)[0] == attempt
    assert_still_serving(eddy)


def test_silent_client_is_closed_after_idle_timeout(eddy_factory):
    eddy = eddy_factory(overrides={"connections.max.idle.ms": "500"})
    started = time.monotonic()
    with RawConnection(eddy.port, timeout_s=15) as silent:
        assert silent.is_closed_by_peer()
    assert time.monotonic() - started < 10
    assert "idle for connections.max.idle.ms=500" in eddy.log()
    assert_still_serving(eddy)


def test_many_connections_at_once(eddy):
    connections = [RawConnection(eddy.port) for _ in range(200)]
    try:
        for index, connection in enumerate(connections):
            connection.send_request(API_VERSIONS, 0, b"", correlation_id=index)
        for index, connection in enumerate(connections):
            response = connection.read_frame()
            assert struct.unpack_from(">i", response, 0)[0] == index
    finally:
        for connection in connections:
            connection.close()
    assert_still_serving(eddy)
