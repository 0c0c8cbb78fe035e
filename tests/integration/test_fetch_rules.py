"""Fetch rules that depend on the request version, driven with kafka-python's classes."""

from kafka.protocol.fetch import FetchRequest

from clients import create_topic, kp_exchange, raw_produce, v2_batch

NONE, UNSUPPORTED_COMPRESSION_TYPE = 0, 76


def fetch_partition(eddy, version, topic, partition, offset):
    """(error code, record bytes) of one partition, with kafka-python's Fetch at `version`."""
    # The partition entry grew log_start_offset in v5 and current_leader_epoch in v9.
    if version >= 9:
        partitions = [(partition, -1, offset, -1, 1024 * 1024)]
    elif version >= 5:
        partitions = [(partition, offset, -1, 1024 * 1024)]
    else:
        partitions = [(partition, offset, 1024 * 1024)]
    arguments = dict(replica_id=-1, max_wait_time=0, min_bytes=0, topics=[(topic, partitions)])
    if version >= 3:
        arguments["max_bytes"] = 50 * 1024 * 1024
    if version >= 4:
        arguments["isolation_level"] = 0
    if version >= 7:
        arguments.update(session_id=0, session_epoch=-1, forgotten_topics_data=[])
    response = kp_exchange(eddy, FetchRequest[version](**arguments))
    (_, [data]), = response.topics
    return data[1], len(data[-1] or b"")


def test_zstd_is_served_from_fetch_v4_and_refused_to_legacy_formats(eddy):
    """Kafka refuses zstd below Fetch v10; Eddy serves it from v4 (record batches), because
    kafka-python 2.0.2 fetches with v4 yet decodes zstd (docs/kafka-differences.md). Legacy
    message formats (Fetch v0-v3) cannot carry zstd: UNSUPPORTED_COMPRESSION_TYPE."""
    create_topic(eddy, "zstd-fetch", 1)
    batch = v2_batch(count=20, value=b"z" * 200, codec=4)
    assert batch[22] & 0x07 == 4, "the test batch must really be zstd-compressed"
    assert raw_produce(eddy, "zstd-fetch", 0, batch, version=7)[0] == NONE
    for version in (4, 9, 10):
        assert fetch_partition(eddy, version, "zstd-fetch", 0, 0) == (NONE, len(batch))
    assert fetch_partition(eddy, 3, "zstd-fetch", 0, 0) == (UNSUPPORTED_COMPRESSION_TYPE, 0)
