"""Log compaction through the real binary: many updates to a few keys plus tombstones leave the
latest value per key (offsets kept, gaps between them), tombstones go once their delete horizon
passes, readers from offset 0 always see a consistent log, and `__consumer_offsets` stays
small under a stream of commits."""

from clients import create_topic, now_ms, raw_list_offsets, wait_until, watermarks
from group_clients import (close_kp_admin, committed_offsets, log_bytes, pipelined_commits,
                           read_partition, segment_bases)

SEGMENT_BYTES = 16384
DELETE_RETENTION_MS = 4000  # margin: the first cleaned view must still show tombstones
CLEANER = {"log.cleaner.backoff.ms": 200}
KEYS = [b"key-%d" % i for i in range(10)]
DELETED = set(KEYS[:3])


def produce_keyed(broker, topic, pairs):
    """Produces (key, value) pairs in order (value None = tombstone); returns
    [(offset, key, value)] from the delivery reports."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all",
                         "linger.ms": 5, "batch.size": 4096, "max.in.flight": 1})
    delivered, errors = [], []

    def on_delivery(error, message):
        if error is not None:
            errors.append(error)
        else:
            delivered.append((message.offset(), message.key(), message.value()))

    for key, value in pairs:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    assert producer.flush(60) == 0
    assert not errors, errors[:5]
    assert len(delivered) == len(pairs)
    return sorted(delivered)


def latest_per_key(delivered):
    latest = {}
    for offset, key, value in delivered:
        latest[key] = (offset, value)
    return latest


def check_consistent(records, latest, fillers):
    """Invariants of a compacted log at any moment, even mid-cleaning: offsets increase, every
    key's last record is its latest write (a deleted key's tombstone, or nothing once the
    tombstone is gone), and no record without a later version is missing."""
    offsets = [r.offset for r in records]
    assert offsets == sorted(set(offsets)), "offsets not strictly increasing"
    last_seen = {}
    for record in records:
        last_seen[record.key] = record
    for key, (offset, value) in latest.items():
        if key in DELETED and key not in last_seen:
            continue  # tombstone removed after its horizon
        assert key in last_seen, f"{key} lost"
        assert (last_seen[key].offset, last_seen[key].value) == (offset, value), key
    assert sum(1 for r in records if r.key.startswith(b"filler-")) == fillers


def test_compaction_keeps_latest_value_per_key(eddy_factory):
    broker = eddy_factory(overrides=CLEANER)
    topic = "compacted"
    create_topic(broker, topic, configs={"cleanup.policy": "compact",
                                         "segment.bytes": SEGMENT_BYTES,
                                         "min.cleanable.dirty.ratio": 0.01,
                                         "delete.retention.ms": DELETE_RETENTION_MS})
    updates = [(KEYS[n % len(KEYS)], b"%s-v%05d-" % (KEYS[n % len(KEYS)], n) + b"x" * 80)
               for n in range(3000)]
    tombstones_sent_ms = now_ms()
    delivered = produce_keyed(broker, topic, updates + [(key, None) for key in sorted(DELETED)])
    latest = latest_per_key(delivered)
    last_update = delivered[-1][0]

    # The cleaner never touches the active segment: push every update out of it with records
    # of unique keys (which compaction keeps).
    fillers = 0
    for _ in range(20):
        if segment_bases(broker, topic)[-1] > last_update:
            break
        delivered += produce_keyed(broker, topic, [(b"filler-%05d" % (fillers + i), b"f" * 200)
                                                   for i in range(40)])
        fillers += 40
    assert segment_bases(broker, topic)[-1] > last_update, segment_bases(broker, topic)
    # The cleaner may already be at work: the log held at least the updates' payload bytes.
    update_bytes = sum(len(key) + len(value) for key, value in updates)
    size_before = max(log_bytes(broker, topic), update_bytes)

    def cleaned():
        records = read_partition(broker, topic)
        check_consistent(records, latest, fillers)
        per_key = [r.key for r in records if r.key in latest]
        return records if len(per_key) == len(set(per_key)) else None

    records = wait_until(cleaned, 60, "one record per key after cleaning", interval_s=0.2)
    assert log_bytes(broker, topic) < size_before / 5, (log_bytes(broker, topic), size_before)
    tombstones = [r for r in records if r.key in DELETED]
    assert len(tombstones) == len(DELETED) and all(r.value is None for r in tombstones)
    horizon_ms = tombstones[0].delete_horizon_ms
    assert horizon_ms is not None, "a kept tombstone's batch carries its delete horizon"
    assert tombstones_sent_ms + DELETE_RETENTION_MS <= horizon_ms
    assert horizon_ms <= now_ms() + DELETE_RETENTION_MS

    # Tombstones go at the next pass after their horizon, and never before it.
    def tombstones_gone():
        records = read_partition(broker, topic)
        read_end_ms = now_ms()
        check_consistent(records, latest, fillers)
        if any(r.key in DELETED for r in records):
            return None
        assert horizon_ms <= read_end_ms, "a tombstone was removed before its horizon"
        return records

    records = wait_until(tombstones_gone, 60, "tombstones removed after delete.retention.ms",
                         interval_s=0.2)
    survivors = {key: latest[key] for key in KEYS if key not in DELETED}
    assert {r.key: (r.offset, r.value) for r in records if r.key in latest} == survivors
    check_client_view(broker, topic, survivors, fillers, delivered[-1][0] + 1)


def check_client_view(broker, topic, survivors, fillers, end_offset):
    """confluent-kafka and kafka-python consumers from offset 0: same records, gaps, no error
    (auto.offset.reset=error would surface an out-of-range offset 0)."""
    from confluent_kafka import Consumer, TopicPartition
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KpPartition

    assert watermarks(broker, topic, 0) == (0, end_offset)
    expected_count = len(survivors) + fillers
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "view",
                         "enable.auto.commit": False, "auto.offset.reset": "error"})
    seen = []
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])

        def complete():
            for message in consumer.consume(num_messages=1000, timeout=0.5):
                assert message.error() is None, message.error()
                seen.append((message.offset(), message.key(), message.value()))
            return len(seen) >= expected_count

        wait_until(complete, 30, "the compacted log through confluent-kafka", interval_s=0)
    finally:
        consumer.close()
    offsets = [o for o, _, _ in seen]
    assert offsets == sorted(set(offsets)) and len(offsets) == expected_count
    assert offsets[-1] == end_offset - 1 and offsets[0] > 0, "gaps where updates were removed"
    assert {k: (o, v) for o, k, v in seen if k in survivors} == survivors

    kp = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False,
                       auto_offset_reset="none", fetch_max_wait_ms=100)
    try:
        kp.assign([KpPartition(topic, 0)])
        kp.seek(KpPartition(topic, 0), 0)
        kp_seen = []
        for _ in range(100):
            for records in kp.poll(timeout_ms=500).values():
                kp_seen.extend((r.offset, r.key, r.value) for r in records)
            if len(kp_seen) >= expected_count:
                break
    finally:
        kp.close()
    assert kp_seen == seen


def test_consumer_offsets_stays_small_under_commits(eddy_factory):
    segment_bytes = 65536
    settings = {**CLEANER, "offsets.topic.segment.bytes": segment_bytes,
                "offsets.topic.num.partitions": 1}
    broker = eddy_factory("node", overrides=settings)
    topic, group, partitions = "committed", "busy-group", 3
    create_topic(broker, topic, partitions=partitions)
    commits = [(n % partitions, n) for n in range(50000)]
    pipelined_commits(broker, group, topic, commits)
    expected = {(topic, p): (o, "m%d" % o) for p, o in commits[-partitions:]}

    assert committed_offsets(broker, group) == expected
    error, _, end_offset = raw_list_offsets(broker, "__consumer_offsets", 0, -1)
    assert error == 0 and end_offset >= len(commits), end_offset
    # 50,000 commit batches are megabytes; once cleaned, the partition holds the active
    # segment plus one record per key.
    bound = 2 * segment_bytes
    wait_until(lambda: log_bytes(broker, "__consumer_offsets") <= bound, 60,
               f"__consumer_offsets-0 under {bound} bytes")
    close_kp_admin(broker)

    # The compacted log still rebuilds the group's offsets on start-up.
    assert broker.stop() == 0
    broker = eddy_factory("node", overrides=settings, port=broker.port)
    wait_until(lambda: committed_offsets(broker, group) == expected, 30,
               "the committed offsets after a restart")
    close_kp_admin(broker)
