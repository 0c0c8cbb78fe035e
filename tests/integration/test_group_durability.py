"""Committed offsets survive a broker restart, graceful or kill -9: a new consumer in the group
resumes exactly after the last acknowledged commit, with no record lost or read twice."""

import signal

import pytest

from clients import Workload, create_topic, produce_confluent, wait_until, watermarks
from group_clients import close_kp_admin, committed_offsets

PARTITIONS = 3
GROUP = "durable"
SETTINGS = {"group.initial.rebalance.delay.ms": 0}


def group_consumer(broker):
    from confluent_kafka import Consumer

    return Consumer({"bootstrap.servers": broker.bootstrap, "group.id": GROUP,
                     "enable.auto.commit": False, "auto.offset.reset": "earliest",
                     "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                     "fetch.wait.max.ms": 100})


def consume_and_commit(consumer, topic, wanted, commit_every):
    """Processes `wanted` records, committing synchronously after every `commit_every`, and
    returns ({partition: next offset} of the last acknowledged commit, records processed)."""
    from confluent_kafka import TopicPartition

    processed, next_offsets, committed = [], {}, {}
    for _ in range(10000):
        if len(processed) >= wanted:
            break
        message = consumer.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        processed.append((message.partition(), message.offset(), message.key()))
        next_offsets[message.partition()] = message.offset() + 1
        if len(processed) % commit_every == 0:
            offsets = [TopicPartition(topic, p, o) for p, o in next_offsets.items()]
            result = consumer.commit(offsets=offsets, asynchronous=False)
            assert all(tp.error is None for tp in result), result
            committed = dict(next_offsets)
    assert len(processed) >= wanted, f"only {len(processed)} of {wanted} records"
    return committed, processed


def records_up_to(processed, committed):
    """The processed records a commit covers (offset below the committed position)."""
    return [r for r in processed if r[1] < committed.get(r[0], 0)]


def consume_rest(broker, topic, count, timeout_s=60):
    """A new group member reads until `count` records, then a moment longer for duplicates."""
    consumer = group_consumer(broker)
    consumer.subscribe([topic])
    received = []
    try:
        def enough():
            for message in consumer.consume(num_messages=1000, timeout=0.5):
                assert message.error() is None, message.error()
                received.append((message.partition(), message.offset(), message.key()))
            return len(received) >= count

        wait_until(enough, timeout_s, f"{count} records after the restart", interval_s=0)
        for message in consumer.consume(num_messages=1000, timeout=1):
            if message.error() is None:
                received.append((message.partition(), message.offset(), message.key()))
    finally:
        consumer.close()
    return received


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL],
                         ids=["graceful", "kill9"])
def test_consumer_resumes_after_last_commit(eddy_factory, stop_signal):
    broker = eddy_factory("node", overrides=SETTINGS)
    topic = "resume"
    create_topic(broker, topic, partitions=PARTITIONS)
    workload = Workload(3000, "resume")
    produce_confluent(broker, topic, workload, "none", timestamps=False)
    all_keys = sorted(workload.key(i) for i in range(workload.count))

    first = group_consumer(broker)
    first.subscribe([topic])
    # 1234 records processed, commits after every 100: the last 34 are processed but never
    # committed, so the next consumer must read them again — and nothing before them.
    committed, processed = consume_and_commit(first, topic, wanted=1234, commit_every=100)
    assert sum(committed.values()) == 1200
    covered = records_up_to(processed, committed)
    assert len(covered) == 1200

    code = broker.stop(stop_signal)
    assert code == (0 if stop_signal == signal.SIGTERM else -signal.SIGKILL)
    broker = eddy_factory("node", overrides=SETTINGS, port=broker.port)
    first.close()  # leaves the group (reconnected to the new broker); commits nothing more

    expected = {(topic, p): (o, "") for p, o in committed.items()}
    wait_until(lambda: committed_offsets(broker, GROUP) == expected, 30,
               "the committed offsets after the restart")
    rest = consume_rest(broker, topic, workload.count - len(covered))
    for partition in range(PARTITIONS):
        end = watermarks(broker, topic, partition)[1]
        offsets = sorted(o for p, o, _ in rest if p == partition)
        assert offsets == list(range(committed.get(partition, 0), end)), \
            f"partition {partition}: read {offsets[:3]}..{offsets[-3:]} of {len(offsets)}"
    keys = sorted([k for _, _, k in covered] + [k for _, _, k in rest])
    assert len(keys) == len(set(keys)), "a record was read twice"
    assert keys == all_keys, "records lost"
    close_kp_admin(broker)
