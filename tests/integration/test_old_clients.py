"""Old clients against Eddy: kafka-python pinned to broker versions 0.9, 0.10 and 0.11, kcat
without ApiVersions pretending the broker is 0.9.0 or 0.10.0, and sarama (Debian's 1.22, built
here from Debian's Go packages) at old protocol versions. Each produces with every codec it
supports (magic 0 and 1 message sets are up-converted, docs/record-batch.md), consumes what it
wrote, and where the client version has them runs admin and offset calls. What an old client
wrote is then read back with a current client (confluent-kafka) and compared byte for byte:
keys, values and the timestamps the old format carries (-1 for magic 0, which has none)."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from clients import (CODEC_IDS, Received, Workload, check_round_trip, consume_confluent,
                     create_topic, now_ms, stored_codecs, wait_until)

PARTITIONS = 3
COUNT = 600
NO_TIMESTAMP = (-1, -1)  # the window check_round_trip accepts: exactly -1
NO_HEADERS = lambda i: []  # noqa: E731 (no old format carries headers)


def expect_codec_stored(broker, topic: str, codec: str):
    """The producer's codec is kept: every partition holds it (a set too small to shrink may
    go uncompressed, as librdkafka does)."""
    for partition in range(PARTITIONS):
        codecs = stored_codecs(broker, topic, partition)
        assert codecs, f"partition {partition} is empty"
        assert codecs <= {0, CODEC_IDS[codec]}, (partition, codecs)
    every = set().union(*(stored_codecs(broker, topic, p) for p in range(PARTITIONS)))
    assert CODEC_IDS[codec] in every, every


def read_back_with_confluent(broker, topic: str, workload: Workload, timestamps=None):
    received = consume_confluent(broker, topic, PARTITIONS, workload.count)
    check_round_trip(workload, received, PARTITIONS, headers_of=NO_HEADERS, timestamps=timestamps)


# --- kafka-python with old api_version ----------------------------------------------------------

OLD_KAFKA_PYTHON = [(0, 9), (0, 10), (0, 11)]


def kafka_python_produce(broker, topic: str, workload: Workload, api_version, codec: str):
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, api_version=api_version,
                             acks="all", compression_type=None if codec == "none" else codec,
                             linger_ms=20, batch_size=64 * 1024, request_timeout_ms=30000)
    try:
        futures = [producer.send(topic, key=workload.key(i), value=workload.value(i),
                                 timestamp_ms=workload.timestamp_ms(i))
                   for i in range(workload.count)]
        producer.flush(timeout=60)
        for future in futures:
            assert future.get(timeout=1).offset >= 0
    finally:
        producer.close(timeout=10)


def kafka_python_consume(broker, topic: str, count: int, api_version,
                         group_id: str | None = None) -> list:
    """Reads `count` records from the beginning; with `group_id` as a group member (the old
    JoinGroup/SyncGroup/Heartbeat/OffsetCommit/OffsetFetch versions), else by assignment."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, api_version=api_version,
                             group_id=group_id, enable_auto_commit=False,
                             auto_offset_reset="earliest", fetch_max_wait_ms=100,
                             request_timeout_ms=30000, session_timeout_ms=10000,
                             heartbeat_interval_ms=1000)
    received = []
    try:
        if group_id is None:
            consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
            consumer.seek_to_beginning()  # ListOffsets v0 ("old style") before 0.10.1
        else:
            consumer.subscribe([topic])
        deadline = time.monotonic() + 60
        while len(received) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500, max_records=10000).values():
                received.extend(Received(r.partition, r.offset, r.key, r.value, [],
                                         -1 if r.timestamp is None else r.timestamp)
                                for r in records)
        if group_id is not None:
            consumer.commit()
    finally:
        consumer.close()
    return received


def kafka_python_timestamps(api_version):
    """Magic 0 (0.9) carries no timestamp; from 0.10 the producer's timestamps survive."""
    return NO_TIMESTAMP if api_version < (0, 10) else None


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4"])
@pytest.mark.parametrize("api_version", OLD_KAFKA_PYTHON, ids=lambda v: "%d.%d" % v)
def test_kafka_python_old_versions_produce_and_consume(eddy, api_version, codec):
    topic = f"kp-{api_version[0]}-{api_version[1]}-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(COUNT, label=topic)
    kafka_python_produce(eddy, topic, workload, api_version, codec)
    expect_codec_stored(eddy, topic, codec)
    timestamps = kafka_python_timestamps(api_version)
    received = kafka_python_consume(eddy, topic, workload.count, api_version)
    check_round_trip(workload, received, PARTITIONS, headers_of=NO_HEADERS, timestamps=timestamps)
    read_back_with_confluent(eddy, topic, workload, timestamps)


@pytest.mark.parametrize("api_version", OLD_KAFKA_PYTHON, ids=lambda v: "%d.%d" % v)
def test_kafka_python_old_versions_group_consumer_and_admin(eddy, api_version):
    from confluent_kafka import Consumer, TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

    label = "%d-%d" % api_version
    topic, group = f"kp-group-{label}", f"kp-group-{label}"
    admin = KafkaAdminClient(bootstrap_servers=eddy.bootstrap, api_version=api_version,
                             request_timeout_ms=30000)
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
        wait_until(lambda: topic in admin.list_topics(), 20, f"topic {topic}")
        (config,) = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        (resource,) = config.resources
        assert resource[0] == 0, resource  # error code
        assert any(entry[0] == "cleanup.policy" for entry in resource[4]), resource

        workload = Workload(COUNT, label=topic)
        kafka_python_produce(eddy, topic, workload, api_version, "gzip")
        received = kafka_python_consume(eddy, topic, workload.count, api_version, group_id=group)
        check_round_trip(workload, received, PARTITIONS, headers_of=NO_HEADERS,
                         timestamps=kafka_python_timestamps(api_version))

        assert group in [g for g, _ in admin.list_consumer_groups()]
        offsets = admin.list_consumer_group_offsets(group)
        # The group's committed offsets, read back by a current client too.
        consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": group})
        try:
            committed = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                                           timeout=10)
        finally:
            consumer.close()
        ends = {p: len([r for r in received if r.partition == p]) for p in range(PARTITIONS)}
        assert {tp.partition: tp.offset for tp in committed} == ends
        assert {tp.partition: meta.offset for tp, meta in offsets.items()} == ends
        admin.delete_topics([topic])
    finally:
        admin.close()


# --- kcat without ApiVersions ---------------------------------------------------------------

KCAT_FALLBACKS = ["0.9.0", "0.10.0"]


def kcat_old(broker, fallback: str, *arguments: str, data: bytes | None = None) -> str:
    result = subprocess.run(
        ["kcat", "-b", broker.bootstrap, "-X", "api.version.request=false",
         "-X", f"broker.version.fallback={fallback}", *arguments],
        input=data, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def kcat_produce_old(broker, topic: str, workload: Workload, fallback: str, codec: str):
    """kcat sets no timestamp of its own choosing: magic 1 gets the send time."""
    lines = b"".join(workload.key(i) + b"|" + workload.value(i) + b"\n"
                     for i in range(workload.count))
    kcat_old(broker, fallback, "-P", "-t", topic, "-K", "|", "-z", codec,
             "-X", "linger.ms=20", "-X", "batch.num.messages=10000", "-X", "acks=all",
             data=lines)


def kcat_consume_old(broker, topic: str, fallback: str) -> list:
    """Every partition from the beginning (ListOffsets v0 finds it) to its end."""
    received = []
    for partition in range(PARTITIONS):
        output = kcat_old(broker, fallback, "-C", "-t", topic, "-p", str(partition),
                          "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%T\t%k\t%s\n")
        for line in output.splitlines():
            p, offset, ts, key, value = line.split("\t")
            received.append(Received(int(p), int(offset), key.encode(), value.encode(), [],
                                     int(ts)))
    return received


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4"])
@pytest.mark.parametrize("fallback", KCAT_FALLBACKS)
def test_kcat_with_old_broker_versions_produces_and_consumes(eddy, fallback, codec):
    topic = f"kcat-{fallback}-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(COUNT, label=topic)
    started_ms = now_ms()
    kcat_produce_old(eddy, topic, workload, fallback, codec)
    finished_ms = now_ms()
    expect_codec_stored(eddy, topic, codec)
    timestamps = NO_TIMESTAMP if fallback == "0.9.0" else (started_ms, finished_ms)
    received = kcat_consume_old(eddy, topic, fallback)
    # kcat prints 0 for a message without a timestamp (magic 0).
    shown = (0, 0) if fallback == "0.9.0" else timestamps
    check_round_trip(workload, received, PARTITIONS, headers_of=NO_HEADERS, timestamps=shown)
    read_back_with_confluent(eddy, topic, workload, timestamps)


# --- sarama ---------------------------------------------------------------------------------

SARAMA_SOURCE = Path(__file__).parent / "sarama_client"
GOPATH = "/usr/share/gocode"


@pytest.fixture(scope="session")
def sarama_client(tmp_path_factory) -> Path:
    """Builds the sarama test client offline: GOPATH mode over Debian's Go packages."""
    assert shutil.which("go"), "golang-go is missing: run scripts/install-deps.sh"
    assert (Path(GOPATH) / "src/github.com/Shopify/sarama").is_dir(), \
        "golang-github-shopify-sarama-dev is missing: run scripts/install-deps.sh"
    out = tmp_path_factory.mktemp("sarama") / "sarama_client"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOPROXY": "off",
           "GOFLAGS": "", "GOCACHE": str(out.parent / "cache")}
    result = subprocess.run(["go", "build", "-o", str(out), "."], cwd=SARAMA_SOURCE, env=env,
                            capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return out


def sarama(client: Path, broker, *arguments: str) -> str:
    result = subprocess.run([str(client), arguments[0], "-brokers", broker.bootstrap,
                             *arguments[1:]], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def sarama_records(output: str) -> list:
    received = []
    for line in output.splitlines():
        p, offset, ts, key, value = line.split("\t")
        received.append(Received(int(p), int(offset), bytes.fromhex(key), bytes.fromhex(value),
                                 [], int(ts) if int(ts) != 0 else -1))
    return received


# sarama's protocol choices: 0.8.2 writes magic 0 (Produce v0) and reads with Fetch v0; 0.10
# magic 1 (Produce v2, Fetch v2); 0.11 record batches. lz4 needs 0.10 in sarama.
SARAMA_CASES = [(version, codec) for version in ["0.8.2.0", "0.10.0.0", "0.11.0.0"]
                for codec in ["none", "gzip", "snappy", "lz4"]
                if not (codec == "lz4" and version == "0.8.2.0")]


@pytest.mark.parametrize("version,codec", SARAMA_CASES)
def test_sarama_old_versions_produce_and_consume(eddy, sarama_client, version, codec):
    topic = f"sarama-{version}-{codec}"
    create_topic(eddy, topic, PARTITIONS)
    workload = Workload(COUNT, label=topic)
    sarama(sarama_client, eddy, "produce", "-topic", topic, "-version", version, "-codec", codec,
           "-count", str(workload.count), "-base-ms", str(workload.base_ms))
    expect_codec_stored(eddy, topic, codec)
    timestamps = NO_TIMESTAMP if version == "0.8.2.0" else None
    received = sarama_records(sarama(sarama_client, eddy, "consume", "-topic", topic,
                                     "-version", version, "-partitions", str(PARTITIONS),
                                     "-count", str(workload.count)))
    check_round_trip(workload, received, PARTITIONS, headers_of=NO_HEADERS,
                     timestamps=timestamps)
    read_back_with_confluent(eddy, topic, workload, timestamps)


@pytest.mark.parametrize("version", ["0.8.2.0", "0.10.0.0"])
def test_sarama_old_versions_commit_offsets(eddy, sarama_client, version):
    from confluent_kafka import Consumer, TopicPartition

    topic, group = f"sarama-commit-{version}", f"sarama-group-{version}"
    create_topic(eddy, topic, PARTITIONS)
    output = sarama(sarama_client, eddy, "commit", "-topic", topic, "-version", version,
                    "-group", group, "-partition", "1", "-offset", "17")
    assert output.split() == ["committed", "17", "sarama"]
    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": group})
    try:
        (committed,) = consumer.committed([TopicPartition(topic, 1)], timeout=10)
    finally:
        consumer.close()
    assert committed.offset == 17


def test_sarama_admin_uses_describe_configs_v0(eddy, sarama_client):
    """sarama 1.22's admin needs 0.11 (it refuses DescribeConfigs below that) and then sends
    CreateTopics v1, DeleteTopics v1 and DescribeConfigs v0 (Debian's sarama never sends
    another DescribeConfigs version)."""
    create_topic(eddy, "sarama-admin", PARTITIONS, configs={"retention.ms": 3600000})
    output = sarama(sarama_client, eddy, "admin", "-topic", "sarama-admin", "-version",
                    "0.11.0.0", "-create", "sarama-created").splitlines()
    assert output[0] == "listed sarama-created 2"
    assert "config retention.ms=3600000 default=false" in output
    assert "config cleanup.policy=delete default=true" in output
    assert output[-1] == "deleted sarama-created"
