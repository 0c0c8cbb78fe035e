"""Topic administration with real admin clients: CreateTopics (configs, errors, validate_only),
DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DeleteTopics, CreatePartitions,
automatic topic creation and DescribeCluster."""

import struct

import pytest

from clients import (admin_client, consume_confluent, create_topic, flexible_exchange,
                     kp_exchange, raw_fetch_v4, raw_produce, v2_batch, wait_for_partitions, wait_until)

NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_TOPIC_EXCEPTION = 17
TOPIC_ALREADY_EXISTS = 36
INVALID_PARTITIONS = 37
INVALID_REPLICATION_FACTOR = 38
INVALID_CONFIG = 40
DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG = 1, 4, 5

CREATED_CONFIGS = {"retention.ms": "86400000", "segment.bytes": "2097152",
                   "cleanup.policy": "compact", "max.message.bytes": "65536"}
# A sample of Kafka's topic configs and their defaults.
DEFAULTS = {"compression.type": "producer", "segment.ms": "604800000",
            "message.timestamp.type": "CreateTime", "retention.bytes": "-1",
            "min.insync.replicas": "1", "index.interval.bytes": "4096",
            "segment.index.bytes": "10485760", "flush.messages": "9223372036854775807",
            "flush.ms": "9223372036854775807", "file.delete.delay.ms": "60000",
            "min.cleanable.dirty.ratio": "0.5", "delete.retention.ms": "86400000",
            "unclean.leader.election.enable": "false", "preallocate": "false"}


def source_of(entry) -> int:
    return entry.source.value if hasattr(entry.source, "value") else int(entry.source)


def topic_configs(broker, topic) -> dict:
    from confluent_kafka.admin import ConfigResource

    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    (_, future), = admin_client(broker).describe_configs([resource]).items()
    return future.result(timeout=20)


def error_code_of(future) -> int:
    """The Kafka error code a confluent admin future failed with (0 if it succeeded)."""
    from confluent_kafka import KafkaException

    try:
        future.result(timeout=20)
        return NONE
    except KafkaException as error:
        return error.args[0].code()


def create_error(broker, name, partitions=1, replication_factor=1, configs=None,
                 validate_only=False) -> int:
    from confluent_kafka.admin import NewTopic

    topic = NewTopic(name, num_partitions=partitions, replication_factor=replication_factor,
                     config=configs or {})
    futures = admin_client(broker).create_topics([topic], operation_timeout=10,
                                                 validate_only=validate_only)
    return error_code_of(futures[name])


def listed_topics(broker) -> set:
    return set(admin_client(broker).list_topics(timeout=10).topics)


# --- CreateTopics and DescribeConfigs ----------------------------------------------------------

def check_created_configs(entries):
    for name, value in CREATED_CONFIGS.items():
        assert entries[name].value == value, name
        assert source_of(entries[name]) == DYNAMIC_TOPIC_CONFIG, name
        assert not entries[name].is_default
    for name, value in DEFAULTS.items():
        assert name in entries, f"DescribeConfigs misses {name}"
        assert entries[name].value == value, name
        assert source_of(entries[name]) == DEFAULT_CONFIG, name
        assert entries[name].is_default, name


def test_topic_configs_show_in_describe_configs_after_restart(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "configured", 2, CREATED_CONFIGS)
    check_created_configs(topic_configs(first, "configured"))
    assert first.stop() == 0

    second = eddy_factory("node", port=first.port)
    wait_for_partitions(second, "configured", 2)
    check_created_configs(topic_configs(second, "configured"))


def test_kafka_python_describe_configs(eddy):
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

    create_topic(eddy, "kp-configs", 1, {"retention.ms": "1234567"})
    admin = KafkaAdminClient(bootstrap_servers=eddy.bootstrap, request_timeout_ms=10000)
    try:
        response, = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC,
                                                           "kp-configs")])
        (error, _, _, _, entries), = response.resources
        assert error == NONE
        values = {entry[0]: entry[1] for entry in entries}
        assert values["retention.ms"] == "1234567"
        assert values["cleanup.policy"] == "delete"
    finally:
        admin.close()


def test_broker_configs_are_described(eddy_factory):
    from confluent_kafka.admin import ConfigResource

    broker = eddy_factory("node", overrides={"num.partitions": 4})
    resource = ConfigResource(ConfigResource.Type.BROKER, "1")
    (_, future), = admin_client(broker).describe_configs([resource]).items()
    entries = future.result(timeout=20)
    assert entries["num.partitions"].value == "4"
    assert source_of(entries["num.partitions"]) == STATIC_BROKER_CONFIG
    assert entries["auto.create.topics.enable"].value == "true"
    assert source_of(entries["auto.create.topics.enable"]) == DEFAULT_CONFIG
    assert entries["log.retention.hours"].value == "168"


def test_create_topic_errors(eddy):
    create_topic(eddy, "taken", 1)
    assert create_error(eddy, "taken") == TOPIC_ALREADY_EXISTS
    assert create_error(eddy, "bad name!") == INVALID_TOPIC_EXCEPTION
    assert create_error(eddy, "..") == INVALID_TOPIC_EXCEPTION
    assert create_error(eddy, "x" * 250) == INVALID_TOPIC_EXCEPTION
    assert create_error(eddy, "three-copies", replication_factor=3) == INVALID_REPLICATION_FACTOR
    assert create_error(eddy, "bad-config", configs={"retention.ms": "soon"}) == INVALID_CONFIG
    assert create_error(eddy, "bad-policy", configs={"cleanup.policy": "shred"}) == INVALID_CONFIG
    assert create_error(eddy, "unknown-config", configs={"no.such.config": "1"}) == INVALID_CONFIG
    assert listed_topics(eddy) == {"taken"}


def test_create_topic_with_zero_partitions_is_invalid_partitions(eddy):
    from kafka.protocol.admin import CreateTopicsRequest

    request = CreateTopicsRequest[2](create_topic_requests=[("zero", 0, 1, [], [])],
                                     timeout=10000, validate_only=False)
    response = kp_exchange(eddy, request)
    (name, error, _), = response.topic_errors
    assert (name, error) == ("zero", INVALID_PARTITIONS)


def test_validate_only_creates_nothing(eddy):
    assert create_error(eddy, "dry-run", partitions=3, validate_only=True) == NONE
    assert create_error(eddy, "dry-run", replication_factor=3,
                        validate_only=True) == INVALID_REPLICATION_FACTOR
    assert "dry-run" not in listed_topics(eddy)
    assert not list(eddy.data_dir.glob("dry-run-*"))
    create_topic(eddy, "dry-run", 3)  # the name is still free


# --- AlterConfigs and IncrementalAlterConfigs --------------------------------------------------

def alter_configs(broker, topic, configs) -> int:
    from confluent_kafka.admin import ConfigResource

    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=configs)
    (_, future), = admin_client(broker).alter_configs([resource]).items()
    return error_code_of(future)


def test_alter_configs_replaces_the_topic_overrides(eddy):
    create_topic(eddy, "altered", 1, {"retention.ms": "1000000", "segment.bytes": "2097152"})
    assert alter_configs(eddy, "altered", {"retention.ms": "2000000"}) == NONE
    entries = topic_configs(eddy, "altered")
    assert entries["retention.ms"].value == "2000000"
    assert source_of(entries["retention.ms"]) == DYNAMIC_TOPIC_CONFIG
    # AlterConfigs is not incremental: an override left out returns to its default.
    assert entries["segment.bytes"].value == "1073741824"
    assert source_of(entries["segment.bytes"]) == DEFAULT_CONFIG


def test_alter_configs_rejects_invalid_values(eddy):
    create_topic(eddy, "strict", 1, {"retention.ms": "1000000"})
    assert alter_configs(eddy, "strict", {"retention.ms": "later"}) == INVALID_CONFIG
    assert alter_configs(eddy, "strict", {"max.message.bytes": "-5"}) == INVALID_CONFIG
    assert alter_configs(eddy, "strict", {"made.up": "1"}) == INVALID_CONFIG
    assert topic_configs(eddy, "strict")["retention.ms"].value == "1000000", "nothing changed"
    assert alter_configs(eddy, "missing", {"retention.ms": "1"}) == UNKNOWN_TOPIC_OR_PARTITION


def test_altered_max_message_bytes_applies_to_produce(eddy):
    create_topic(eddy, "limits", 1)
    assert raw_produce(eddy, "limits", 0, v2_batch(value=b"x" * 5000))[0] == NONE
    assert alter_configs(eddy, "limits", {"max.message.bytes": "1000"}) == NONE
    assert raw_produce(eddy, "limits", 0, v2_batch(value=b"x" * 5000))[0] == 10  # too large


def incremental_alter(broker, topic, operations, validate_only=False):
    """IncrementalAlterConfigs v0 by hand: operations [(name, op, value)], op 0 SET, 1 DELETE,
    2 APPEND, 3 SUBTRACT. Returns the resource's error code."""
    from kafka.protocol.api import Request, Response
    from kafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Schema, String

    class IncrementalAlterConfigsResponse(Response):
        API_KEY, API_VERSION = 44, 0
        SCHEMA = Schema(('throttle_time_ms', Int32),
                        ('resources', Array(('error_code', Int16),
                                            ('error_message', String('utf-8')),
                                            ('resource_type', Int8),
                                            ('resource_name', String('utf-8')))))

    class IncrementalAlterConfigsRequest(Request):
        API_KEY, API_VERSION, RESPONSE_TYPE = 44, 0, IncrementalAlterConfigsResponse
        SCHEMA = Schema(('resources', Array(('resource_type', Int8),
                                            ('resource_name', String('utf-8')),
                                            ('configs', Array(('name', String('utf-8')),
                                                              ('operation', Int8),
                                                              ('value', String('utf-8')))))),
                        ('validate_only', Boolean))

    request = IncrementalAlterConfigsRequest(resources=[(2, topic, operations)],
                                             validate_only=validate_only)
    (error, _, resource_type, name), = kp_exchange(broker, request).resources
    assert (resource_type, name) == (2, topic)
    return error


def test_produce_policy_follows_config_changes_at_once(eddy):
    """Produce caches each topic's policy per topic image; a config change publishes a new
    image, so the very next Produce obeys it (on a connection whose loop cached the old one)."""
    invalid_timestamp, invalid_record = 32, 87
    create_topic(eddy, "policy", 1)
    for _ in range(3):
        assert raw_produce(eddy, "policy", 0, v2_batch(key=None))[0] == NONE
    assert alter_configs(eddy, "policy", {"cleanup.policy": "compact"}) == NONE
    assert raw_produce(eddy, "policy", 0, v2_batch(key=None))[0] == invalid_record
    assert raw_produce(eddy, "policy", 0, v2_batch(key=b"k"))[0] == NONE
    assert incremental_alter(eddy, "policy", [("cleanup.policy", 0, "delete")]) == NONE
    assert raw_produce(eddy, "policy", 0, v2_batch(key=None))[0] == NONE
    assert incremental_alter(eddy, "policy",
                             [("message.timestamp.before.max.ms", 0, "60000")]) == NONE
    assert raw_produce(eddy, "policy", 0, v2_batch(timestamp_ms=1000))[0] == invalid_timestamp
    assert incremental_alter(eddy, "policy",
                             [("message.timestamp.before.max.ms", 1, None)]) == NONE
    assert raw_produce(eddy, "policy", 0, v2_batch(timestamp_ms=1000))[0] == NONE


def test_incremental_alter_configs(eddy):
    create_topic(eddy, "incremental", 1, {"retention.ms": "1000000", "segment.bytes": "2097152"})
    assert incremental_alter(eddy, "incremental", [("retention.ms", 0, "3000000")]) == NONE
    entries = topic_configs(eddy, "incremental")
    assert entries["retention.ms"].value == "3000000"
    assert entries["segment.bytes"].value == "2097152", "other overrides untouched"

    assert incremental_alter(eddy, "incremental", [("segment.bytes", 1, None)]) == NONE
    entries = topic_configs(eddy, "incremental")
    assert entries["segment.bytes"].value == "1073741824"
    assert source_of(entries["segment.bytes"]) == DEFAULT_CONFIG

    assert incremental_alter(eddy, "incremental", [("cleanup.policy", 2, "compact")]) == NONE
    assert set(topic_configs(eddy, "incremental")["cleanup.policy"].value.split(",")) == \
        {"delete", "compact"}
    assert incremental_alter(eddy, "incremental", [("cleanup.policy", 3, "delete")]) == NONE
    assert topic_configs(eddy, "incremental")["cleanup.policy"].value == "compact"

    assert incremental_alter(eddy, "incremental", [("retention.ms", 0, "x")]) == INVALID_CONFIG
    assert incremental_alter(eddy, "incremental", [("retention.ms", 0, "5")],
                             validate_only=True) == NONE
    assert topic_configs(eddy, "incremental")["retention.ms"].value == "3000000"


def test_altered_configs_survive_restart(eddy_factory):
    first = eddy_factory("node")
    create_topic(first, "kept", 1)
    assert incremental_alter(first, "kept", [("retention.ms", 0, "7777777")]) == NONE
    assert first.stop() == 0
    second = eddy_factory("node", port=first.port)
    wait_for_partitions(second, "kept", 1)
    entry = topic_configs(second, "kept")["retention.ms"]
    assert (entry.value, source_of(entry)) == ("7777777", DYNAMIC_TOPIC_CONFIG)


# --- DeleteTopics ------------------------------------------------------------------------------

def test_delete_topic_removes_it_and_its_data(eddy):
    create_topic(eddy, "doomed", 3)
    for partition in range(3):
        assert raw_produce(eddy, "doomed", partition, v2_batch(count=5))[0] == NONE
    assert (eddy.data_dir / "doomed-0").is_dir()
    futures = admin_client(eddy).delete_topics(["doomed"], operation_timeout=10)
    assert error_code_of(futures["doomed"]) == NONE

    wait_until(lambda: "doomed" not in listed_topics(eddy), 20, "topic gone from metadata")
    wait_until(lambda: not list(eddy.data_dir.glob("doomed-*")), 30, "partition dirs removed")
    assert raw_fetch_v4(eddy, "doomed", 0, 0)[0] == UNKNOWN_TOPIC_OR_PARTITION

    create_topic(eddy, "doomed", 1)  # a new topic of the same name starts empty
    assert raw_produce(eddy, "doomed", 0, v2_batch())[1] == 0


def test_delete_unknown_topic(eddy):
    futures = admin_client(eddy).delete_topics(["never-was"], operation_timeout=10)
    assert error_code_of(futures["never-was"]) == UNKNOWN_TOPIC_OR_PARTITION


def test_deleted_topic_stays_deleted_after_restart(eddy_factory):
    # The first broker's AdminClient reconnects to the restarted broker and refreshes its
    # metadata for "gone", which would auto-create it again (as with Kafka).
    no_auto_create = {"auto.create.topics.enable": "false"}
    first = eddy_factory("node", overrides=no_auto_create)
    create_topic(first, "gone", 1)
    assert error_code_of(admin_client(first).delete_topics(["gone"])["gone"]) == NONE
    wait_until(lambda: "gone" not in listed_topics(first), 20, "topic gone")
    first.kill9()
    second = eddy_factory("node", port=first.port, overrides=no_auto_create)
    assert "gone" not in listed_topics(second)
    wait_until(lambda: not list(second.data_dir.glob("gone-*")), 30, "partition dirs removed")


# --- CreatePartitions --------------------------------------------------------------------------

def test_create_partitions_grows_a_topic_and_producers_reach_them(eddy):
    from confluent_kafka import Producer
    from confluent_kafka.admin import NewPartitions

    create_topic(eddy, "growing", 2)
    futures = admin_client(eddy).create_partitions([NewPartitions("growing", 5)])
    assert error_code_of(futures["growing"]) == NONE
    wait_for_partitions(eddy, "growing", 5)

    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all"})
    reports = []
    for partition in range(5):
        producer.produce("growing", value=b"p%d" % partition, partition=partition,
                         on_delivery=lambda e, m: reports.append((e, m.partition())))
    assert producer.flush(20) == 0
    assert sorted(reports, key=lambda r: r[1]) == [(None, p) for p in range(5)]
    received = consume_confluent(eddy, "growing", 5, 5)
    assert sorted((r.partition, r.value) for r in received) == \
        [(p, b"p%d" % p) for p in range(5)]


def test_create_partitions_errors(eddy):
    from confluent_kafka.admin import NewPartitions

    create_topic(eddy, "fixed", 3)
    admin = admin_client(eddy)
    assert error_code_of(admin.create_partitions([NewPartitions("fixed", 2)])["fixed"]) == \
        INVALID_PARTITIONS
    assert error_code_of(admin.create_partitions([NewPartitions("fixed", 3)])["fixed"]) == \
        INVALID_PARTITIONS
    assert error_code_of(admin.create_partitions([NewPartitions("nope", 4)])["nope"]) == \
        UNKNOWN_TOPIC_OR_PARTITION
    futures = admin.create_partitions([NewPartitions("fixed", 6)], validate_only=True)
    assert error_code_of(futures["fixed"]) == NONE
    assert len(admin.list_topics(timeout=10).topics["fixed"].partitions) == 3


# --- automatic topic creation ------------------------------------------------------------------

def metadata_auto_create(broker, topic) -> tuple[int, int]:
    """Metadata v4 with allow_auto_topic_creation: (topic error, partition count)."""
    from kafka.protocol.metadata import MetadataRequest

    response = kp_exchange(broker, MetadataRequest[4]([topic], True))
    (error, name, _, partitions), = response.topics
    assert name == topic
    return error, len(partitions)


def test_metadata_auto_creates_with_num_partitions(eddy_factory):
    broker = eddy_factory("node", overrides={"num.partitions": 3})
    error, _ = metadata_auto_create(broker, "auto-meta")
    assert error in (NONE, 5)  # Kafka may answer LEADER_NOT_AVAILABLE while it creates
    wait_for_partitions(broker, "auto-meta", 3)


def test_producer_auto_creates_its_topic(eddy_factory):
    from confluent_kafka import Producer

    broker = eddy_factory("node", overrides={"num.partitions": 2})
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    reports = []
    producer.produce("auto-produce", key=b"k", value=b"v",
                     on_delivery=lambda e, m: reports.append(e))
    assert producer.flush(30) == 0
    assert reports == [None]
    wait_for_partitions(broker, "auto-produce", 2)


def test_auto_create_disabled_gives_unknown_topic(eddy_factory):
    broker = eddy_factory("node", overrides={"auto.create.topics.enable": "false"})
    assert metadata_auto_create(broker, "not-made") == (UNKNOWN_TOPIC_OR_PARTITION, 0)
    assert raw_produce(broker, "not-made", 0, v2_batch())[0] == UNKNOWN_TOPIC_OR_PARTITION
    assert "not-made" not in listed_topics(broker)


def test_metadata_does_not_auto_create_invalid_names(eddy):
    assert metadata_auto_create(eddy, "bad name!")[0] == INVALID_TOPIC_EXCEPTION
    assert "bad name!" not in listed_topics(eddy)


# --- DescribeCluster ---------------------------------------------------------------------------

@pytest.mark.parametrize("version", [0, 1])
def test_describe_cluster(eddy, version):
    body = struct.pack(">?", False) + (struct.pack(">b", 1) if version >= 1 else b"") + b"\x00"
    cursor = flexible_exchange(eddy, 60, version, body)
    cursor.take("i")
    assert cursor.take("h") == NONE
    cursor.compact_string()
    if version >= 1:
        assert cursor.take("b") == 1  # endpoint type: brokers
    assert len(cursor.compact_string()) == 22
    assert cursor.take("i") == 1

    def broker_entry():
        node, host, port = cursor.take("i"), cursor.compact_string(), cursor.take("i")
        cursor.compact_string()
        cursor.skip_tags()
        return node, host, port

    assert cursor.compact_array(broker_entry) == [(1, "127.0.0.1", eddy.port)]
