"""Every topic config round-trips through real admin clients: its value, source and synonym
chain in DescribeConfigs (override, broker setting, default), and AlterConfigs refusing a bad
value of every type with INVALID_CONFIG.

The table below is written from Kafka's documentation, independently of Eddy's key table
(src/config/topic_keys.cc): a key Eddy adds or drops without this table following fails here.
"""

from dataclasses import dataclass

import pytest

from clients import create_topic
from test_topic_admin import alter_configs

INVALID_CONFIG = 40
DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG = 1, 4, 5
LONG_MAX = "9223372036854775807"


@dataclass
class Key:
    name: str
    kafka_default: str
    override: str            # a valid value other than the default
    bad: str                 # a value of the wrong type or out of range
    synonym: str | None = None        # the broker key that supplies the value
    broker_value: str | None = None   # what the test sets the synonym to
    in_topic_unit: str | None = None  # broker_value in the topic key's unit
    synonym_default: str | None = None  # the synonym's own default (hours for retention.ms)


KEYS = [
    Key("cleanup.policy", "delete", "compact", "shred", "log.cleanup.policy", "compact,delete"),
    Key("compression.gzip.level", "-1", "5", "10", "compression.gzip.level", "3"),
    Key("compression.lz4.level", "9", "5", "0", "compression.lz4.level", "4"),
    Key("compression.type", "producer", "zstd", "brotli", "compression.type", "lz4"),
    Key("compression.zstd.level", "3", "7", "23", "compression.zstd.level", "5"),
    Key("delete.retention.ms", "86400000", "1000", "-1", "log.cleaner.delete.retention.ms",
        "2000"),
    Key("file.delete.delay.ms", "60000", "1000", "soon", "log.segment.delete.delay.ms", "2000"),
    Key("flush.messages", LONG_MAX, "10", "0", "log.flush.interval.messages", "20"),
    Key("flush.ms", LONG_MAX, "1000", "-1", "log.flush.interval.ms", "2000"),
    Key("follower.replication.throttled.replicas", "", "0:1,1:1", "x"),
    Key("index.interval.bytes", "4096", "100", "-1", "log.index.interval.bytes", "200"),
    Key("leader.replication.throttled.replicas", "", "*", "0-1"),
    Key("local.retention.bytes", "-2", "1000", "-3", "log.local.retention.bytes", "2000"),
    Key("local.retention.ms", "-2", "1000", "-3", "log.local.retention.ms", "2000"),
    Key("max.compaction.lag.ms", LONG_MAX, "100000", "0", "log.cleaner.max.compaction.lag.ms",
        "200000"),
    Key("max.message.bytes", "1048588", "2000000", "-5", "message.max.bytes", "3000000"),
    Key("message.downconversion.enable", "true", "false", "nope",
        "log.message.downconversion.enable", "false"),
    Key("message.format.version", "3.0-IV1", "2.8", "banana", "log.message.format.version",
        "0.10.2"),
    Key("message.timestamp.after.max.ms", LONG_MAX, "1000", "-1",
        "log.message.timestamp.after.max.ms", "2000"),
    Key("message.timestamp.before.max.ms", LONG_MAX, "1000", "later",
        "log.message.timestamp.before.max.ms", "2000"),
    Key("message.timestamp.type", "CreateTime", "LogAppendTime", "Whenever",
        "log.message.timestamp.type", "LogAppendTime"),
    Key("min.cleanable.dirty.ratio", "0.5", "0.1", "1.5", "log.cleaner.min.cleanable.ratio",
        "0.2"),
    Key("min.compaction.lag.ms", "0", "1000", "-1", "log.cleaner.min.compaction.lag.ms", "2000"),
    Key("min.insync.replicas", "1", "2", "0", "min.insync.replicas", "2"),
    Key("preallocate", "false", "true", "maybe", "log.preallocate", "true"),
    Key("remote.storage.enable", "false", "false", "maybe"),
    Key("retention.bytes", "-1", "1000000", "lots", "log.retention.bytes", "2000000"),
    Key("retention.ms", "604800000", "1000000", "-2", "log.retention.hours", "2", "7200000",
        "168"),
    Key("segment.bytes", "1073741824", "2097152", "13", "log.segment.bytes", "4194304"),
    Key("segment.index.bytes", "10485760", "4096", "3", "log.index.size.max.bytes", "8192"),
    Key("segment.jitter.ms", "0", "1000", "-1", "log.roll.jitter.hours", "1", "3600000", "0"),
    Key("segment.ms", "604800000", "1000000", "0", "log.roll.hours", "2", "7200000", "168"),
    Key("unclean.leader.election.enable", "false", "true", "maybe",
        "unclean.leader.election.enable", "true"),
]


def described(broker, topic) -> dict:
    """name -> (value, source, [(synonym name, value, source)]) from DescribeConfigs v1 with
    synonyms, through kafka-python (an encoder independent of Eddy's)."""
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=10000)
    try:
        response, = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)],
                                           include_synonyms=True)
    finally:
        admin.close()
    (error, _, _, _, entries), = response.resources
    assert error == 0
    return {name: (value, source, [tuple(s) for s in synonyms])
            for name, value, _read_only, source, _sensitive, synonyms in entries}


def test_every_key_is_described_with_kafkas_default(eddy):
    create_topic(eddy, "defaults")
    entries = described(eddy, "defaults")
    assert sorted(entries) == sorted(key.name for key in KEYS)
    for key in KEYS:
        value, source, synonyms = entries[key.name]
        assert (value, source) == (key.kafka_default, DEFAULT_CONFIG), key.name
        # The chain ends with the default: under the broker synonym's name when there is one.
        default_name = key.synonym or key.name
        default_value = key.synonym_default or key.kafka_default
        assert synonyms == [(default_name, default_value, DEFAULT_CONFIG)], key.name


def test_every_key_takes_the_brokers_setting_then_the_topics_override(eddy_factory):
    broker_settings = {key.synonym: key.broker_value for key in KEYS if key.synonym}
    broker = eddy_factory(overrides=broker_settings)
    create_topic(broker, "inherits")
    overrides = {key.name: key.override for key in KEYS}
    create_topic(broker, "overrides", 1, overrides)

    inherited = described(broker, "inherits")
    overridden = described(broker, "overrides")
    for key in KEYS:
        if key.synonym:
            expected = key.in_topic_unit or key.broker_value
            value, source, synonyms = inherited[key.name]
            assert (value, source) == (expected, STATIC_BROKER_CONFIG), key.name
            assert synonyms[0] == (key.synonym, key.broker_value, STATIC_BROKER_CONFIG), key.name
            assert synonyms[-1][2] == DEFAULT_CONFIG, key.name
        value, source, synonyms = overridden[key.name]
        assert (value, source) == (key.override, DYNAMIC_TOPIC_CONFIG), key.name
        assert synonyms[0] == (key.name, key.override, DYNAMIC_TOPIC_CONFIG), key.name
        if key.synonym:
            assert synonyms[1] == (key.synonym, key.broker_value, STATIC_BROKER_CONFIG), key.name


@pytest.mark.parametrize("key", KEYS, ids=[key.name for key in KEYS])
def test_alter_configs_refuses_a_bad_value_of_every_key(eddy, key):
    topic = "strict-" + key.name.replace(".", "-")
    create_topic(eddy, topic, 1, {"retention.ms": "1000000"})
    assert alter_configs(eddy, topic, {key.name: key.bad}) == INVALID_CONFIG
    value, source, _ = described(eddy, topic)["retention.ms"]
    assert (value, source) == ("1000000", DYNAMIC_TOPIC_CONFIG), "nothing changed"


def test_a_bad_broker_setting_stops_the_start(tmp_path):
    from eddy_process import EddyProcess

    broker = EddyProcess(tmp_path / "bad", overrides={"log.retention.hours": "soon"})
    with pytest.raises(RuntimeError, match="eddy exited"):
        broker.start()
    assert "Invalid value soon for configuration log.retention.hours" in broker.log()
