"""Foundation: real clients discover the broker through ApiVersions and Metadata."""

import re
import struct
import subprocess

from kafka.protocol.admin import ApiVersionRequest_v0, ApiVersionResponse_v0
from kafka.protocol.api import RequestHeader
from kafka.protocol.metadata import MetadataRequest, MetadataResponse

from raw_client import RawConnection, compact_string, uvarint

API_VERSIONS = 18
METADATA = 3


def test_kcat_lists_the_broker(eddy):
    listing = subprocess.run(["kcat", "-b", eddy.bootstrap, "-L", "-m", "10"],
                             capture_output=True, text=True, timeout=30)
    assert listing.returncode == 0, listing.stderr
    assert "1 brokers:" in listing.stdout
    assert f"broker 1 at {eddy.bootstrap} (controller)" in listing.stdout
    assert "0 topics:" in listing.stdout


def test_confluent_admin_client_lists_topics(eddy):
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    metadata = admin.list_topics(timeout=10)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", metadata.cluster_id)
    assert metadata.controller_id == 1
    assert list(metadata.brokers) == [1]
    assert str(metadata.brokers[1]) == f"1 ({eddy.bootstrap})" or \
        (metadata.brokers[1].host, metadata.brokers[1].port) == ("127.0.0.1", eddy.port)
    assert metadata.topics == {}


def test_confluent_unknown_topic_is_unknown_topic_or_partition(eddy_factory):
    eddy = eddy_factory(overrides={"auto.create.topics.enable": "false"})
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    metadata = admin.list_topics(topic="no-such-topic", timeout=10)
    topic = metadata.topics["no-such-topic"]
    assert topic.error is not None
    assert topic.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART


def test_kafka_python_admin_client_describes_cluster(eddy):
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=eddy.bootstrap, request_timeout_ms=10000)
    try:
        cluster = admin.describe_cluster()
        assert cluster["controller_id"] == 1
        assert cluster["brokers"] == [{"node_id": 1, "host": "127.0.0.1", "port": eddy.port,
                                       "rack": None}]
        assert len(cluster["cluster_id"]) == 22
        assert admin.list_topics() == []
    finally:
        admin.close()


def test_cluster_id_survives_restart(eddy_factory):
    first = eddy_factory("node")
    from kafka import KafkaAdminClient

    def cluster_id(broker):
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=10000)
        try:
            return admin.describe_cluster()["cluster_id"]
        finally:
            admin.close()

    before = cluster_id(first)
    assert first.stop() == 0
    second = eddy_factory("node", port=first.port)
    assert cluster_id(second) == before


def parse_api_versions(body: bytes, version: int) -> tuple[int, dict]:
    """Decodes an ApiVersions response body by hand (header v0 always)."""
    error, = struct.unpack_from(">h", body, 0)
    position = 2
    if version >= 3:
        count, position = read_uvarint(body, position)
        count -= 1
    else:
        count, = struct.unpack_from(">i", body, position)
        position += 4
    versions = {}
    for _ in range(count):
        key, low, high = struct.unpack_from(">hhh", body, position)
        position += 6
        if version >= 3:
            _, position = read_uvarint(body, position)  # tagged fields of the entry
        versions[key] = (low, high)
    return error, versions


def read_uvarint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def api_versions_exchange(port: int, version: int) -> tuple[int, bytes]:
    flexible = version >= 3
    body = compact_string("eddy-tests") + compact_string("1.0") + uvarint(0) if flexible else b""
    with RawConnection(port) as connection:
        connection.send_request(API_VERSIONS, version, body, correlation_id=77, flexible=flexible)
        frame = connection.read_frame()
    assert frame is not None, "broker closed the connection"
    correlation_id, = struct.unpack_from(">i", frame, 0)
    return correlation_id, frame[4:]  # ApiVersions responses always use header v0


def test_api_versions_every_version_lists_what_is_implemented(eddy):
    for version in range(0, 5):
        correlation_id, body = api_versions_exchange(eddy.port, version)
        assert correlation_id == 77
        error, versions = parse_api_versions(body, version)
        assert error == 0, f"v{version}"
        assert versions[API_VERSIONS] == (0, 4)
        assert versions[METADATA] == (0, 12)


def test_api_versions_v0_decodes_with_kafka_python(eddy):
    with RawConnection(eddy.port) as connection:
        request = ApiVersionRequest_v0()
        header = RequestHeader(request, 5, "kp")
        connection.send_frame(header.encode() + request.encode())
        frame = connection.read_frame()
    response = ApiVersionResponse_v0.decode(frame[4:])
    assert response.error_code == 0
    assert (METADATA, 0, 12) in [tuple(entry) for entry in response.api_versions]


def test_unsupported_api_versions_version_answers_v0_with_error_35(eddy):
    correlation_id, body = api_versions_exchange(eddy.port, 127)
    assert correlation_id == 77
    error, versions = parse_api_versions(body, 0)
    assert error == 35  # UNSUPPORTED_VERSION
    assert versions[API_VERSIONS] == (0, 4)


def test_invalid_client_software_name_is_invalid_request(eddy):
    body = compact_string("-bad name-") + compact_string("1.0") + uvarint(0)
    with RawConnection(eddy.port) as connection:
        connection.send_request(API_VERSIONS, 3, body, flexible=True)
        frame = connection.read_frame()
    assert struct.unpack_from(">h", frame, 4)[0] == 42  # INVALID_REQUEST


def metadata_exchange(port: int, version: int, topics):
    request = MetadataRequest[version](topics) if version < 4 else \
        MetadataRequest[version](topics, False)
    with RawConnection(port) as connection:
        header = RequestHeader(request, 9, "kp")
        connection.send_frame(header.encode() + request.encode())
        frame = connection.read_frame()
    assert frame is not None
    assert struct.unpack_from(">i", frame, 0)[0] == 9
    return MetadataResponse[version].decode(frame[4:])


def test_metadata_versions_decode_with_kafka_python(eddy):
    for version in range(len(MetadataRequest)):
        all_topics = [] if version == 0 else None
        response = metadata_exchange(eddy.port, version, all_topics)
        brokers = [tuple(broker)[:3] for broker in response.brokers]
        assert brokers == [(1, "127.0.0.1", eddy.port)], f"v{version}"
        assert response.topics == []


def test_metadata_topic_errors(eddy_factory):
    eddy = eddy_factory(overrides={"auto.create.topics.enable": "false"})
    response = metadata_exchange(eddy.port, 1, ["missing", "bad name!"])
    errors = {topic[1]: topic[0] for topic in response.topics}
    assert errors == {"missing": 3, "bad name!": 17}  # UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC


def test_metadata_v1_auto_creates_valid_names_only(eddy):
    """Auto creation is on by default; Metadata v0-v3 always allow it."""
    response = metadata_exchange(eddy.port, 1, ["fresh", "bad name!"])
    topics = {topic[1]: topic for topic in response.topics}
    assert topics["bad name!"][0] == 17  # INVALID_TOPIC_EXCEPTION, nothing created
    error, name, internal, partitions = topics["fresh"]
    assert (error, internal) == (0, False)
    assert [partition[1] for partition in partitions] == [0]  # num.partitions=1
    assert {t[1] for t in metadata_exchange(eddy.port, 1, None).topics} == {"fresh"}


def test_pipelined_requests_are_answered_in_order(eddy):
    request = MetadataRequest[1](None)
    with RawConnection(eddy.port) as connection:
        burst = b""
        for correlation_id in range(100):
            header = RequestHeader(request, correlation_id, "kp")
            payload = header.encode() + request.encode()
            burst += struct.pack(">i", len(payload)) + payload
        connection.send_raw(burst)
        for correlation_id in range(100):
            frame = connection.read_frame()
            assert struct.unpack_from(">i", frame, 0)[0] == correlation_id
