"""Running out of file descriptors never loses acknowledged data nor leaves a data dir that
cannot start (issue 10, defect 5). The broker runs under a low RLIMIT_NOFILE (a shell wrapper
sets it before exec'ing eddy) with thousands of segment files, then has every descriptor taken
by idle connections, then restarts after kill -9 and after a clean stop."""

import os
import re
import socket
import stat

import pytest

from clients import (Workload, admin_client, consume_confluent, create_topic, produce_confluent,
                     wait_until)
from eddy_process import eddy_binary

HARD_LIMIT = 256
SOFT_LIMIT = 128  # the broker raises it to the hard limit
PARTITIONS = 24
SEGMENT_BYTES = 4096


@pytest.fixture
def limited_binary(tmp_path, monkeypatch):
    """EDDY_BINARY for the test: the real binary under soft/hard RLIMIT_NOFILE limits."""
    real = eddy_binary()
    wrapper = tmp_path / "eddy-limited.sh"
    wrapper.write_text("#!/bin/sh\n"
                       f"ulimit -S -n {SOFT_LIMIT} && ulimit -H -n {HARD_LIMIT} || exit 99\n"
                       f"exec '{real}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDDY_BINARY", str(wrapper))
    return wrapper


def open_fds(broker) -> int:
    return len(os.listdir(f"/proc/{broker.process.pid}/fd"))


def segment_files(broker, topic) -> int:
    return sum(len(list(d.glob("*.log"))) for d in broker.data_dir.glob(f"{topic}-*"))


def read_back(broker, topic, expected: dict, partitions=PARTITIONS):
    """Reads every partition from the start; asserts dense offsets from 0, no duplicates, and
    exactly the `expected` {key: value} records."""
    received = consume_confluent(broker, topic, partitions, len(expected), timeout_s=120)
    by_partition = {}
    for record in received:
        by_partition.setdefault(record.partition, []).append(record.offset)
    for partition, offsets in by_partition.items():
        assert sorted(offsets) == list(range(len(offsets))), f"partition {partition}: gaps"
    got = {record.key: record.value for record in received}
    assert len(got) == len(received), "duplicates"
    missing = set(expected) - set(got)
    assert not missing, f"{len(missing)} acknowledged records missing, e.g. {sorted(missing)[:3]}"
    assert got == expected


def records_of(workload: Workload) -> dict:
    return {workload.key(i): workload.value(i) for i in range(workload.count)}


def produce(broker, topic, workload):
    # Batches well below segment.bytes, so each segment holds a few of them.
    return produce_confluent(broker, topic, workload, "none", timestamps=False,
                             extra={"batch.size": 1500, "linger.ms": 5})


def hog_connections(broker, count):
    """Opens `count` idle connections (the kernel completes them; the broker accepts what its
    descriptors allow) and waits until the broker logs a failed accept."""
    sockets = []
    for _ in range(count):
        sockets.append(socket.create_connection(("127.0.0.1", broker.port), timeout=5))
    wait_until(lambda: re.search(r"accept on \S+ failed", broker.log()), 20,
               "the broker to run out of descriptors")
    return sockets


def test_many_segments_and_exhausted_descriptors_lose_nothing(eddy_factory, limited_binary):
    broker = eddy_factory("node")
    log = broker.log()
    assert f"open files limit: soft {HARD_LIMIT} (was {SOFT_LIMIT}), hard {HARD_LIMIT}" in log
    # A quarter of the limit by default.
    assert f"at most {HARD_LIMIT // 4} sealed segments keep descriptors open" in log

    topic = "many-segments"
    create_topic(broker, topic, PARTITIONS, {"segment.bytes": SEGMENT_BYTES})
    workload = Workload(40_000, "fd")
    produce(broker, topic, workload)
    expected = records_of(workload)
    segments = segment_files(broker, topic)
    # Each segment is three files: far beyond what the process may hold open at once.
    assert segments * 3 > 10 * HARD_LIMIT, segments
    assert open_fds(broker) < HARD_LIMIT
    read_back(broker, topic, expected)
    assert open_fds(broker) < HARD_LIMIT

    # Every descriptor taken by idle connections: the broker stays up, a request that needs a
    # descriptor fails cleanly (KAFKA_STORAGE_ERROR, retriable), and once descriptors free up
    # everything acknowledged is there.
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5,
                         "batch.size": 1500, "message.timeout.ms": 120000})
    producer.list_topics(timeout=10)  # connected before the descriptors run out
    failed = []

    def on_delivery(error, message):
        if error is not None:
            failed.append(error)
        else:
            expected[message.key()] = message.value()

    hogs = hog_connections(broker, HARD_LIMIT + 50)
    for i in range(3000):
        producer.produce(topic, key=b"during-%05d" % i, value=b"x" * 100,
                         on_delivery=on_delivery)
    producer.poll(3)
    assert broker.alive()
    for hog in hogs:
        hog.close()
    assert producer.flush(120) == 0
    assert not failed, failed[:5]
    wait_until(lambda: re.search(r"accepting on \S+ again", broker.log()), 20,
               "the broker to accept again")
    read_back(broker, topic, expected)

    # kill -9, then a clean stop: each start opens lazily and serves everything.
    broker.kill9()
    broker = eddy_factory("node", port=broker.port)
    assert open_fds(broker) < HARD_LIMIT
    read_back(broker, topic, expected)
    assert broker.stop() == 0
    broker = eddy_factory("node", port=broker.port)
    assert re.search(r"opened \d+ partition logs \(after a clean shutdown\)",
                     broker.log().split("open files limit")[-1])
    read_back(broker, topic, expected)
    more = Workload(5_000, "after-restart")
    create_topic(broker, "after-restart", 4, {"segment.bytes": SEGMENT_BYTES})
    produce(broker, "after-restart", more)
    read_back(broker, "after-restart", records_of(more), partitions=4)


def test_create_topics_never_claims_success_for_logs_that_did_not_open(eddy_factory,
                                                                       limited_binary):
    """CreateTopics while every descriptor is taken: either the logs opened (the answer is a
    success and every partition takes records at once) or the answer is KAFKA_STORAGE_ERROR
    and the partitions come online once descriptors free up (the broker retries)."""
    from confluent_kafka import KafkaException, Producer
    from confluent_kafka.admin import NewTopic

    broker = eddy_factory("node", overrides={"eddy.log.max.open.segments": "16"})
    admin = admin_client(broker)
    admin.list_topics(timeout=10)  # connected before the descriptors run out
    hogs = hog_connections(broker, HARD_LIMIT + 50)
    partitions = 40
    future = admin.create_topics([NewTopic("made-while-starved", partitions, 1)],
                                 operation_timeout=10)["made-while-starved"]
    try:
        future.result(timeout=30)
        outcome = "created"
    except KafkaException as failure:
        error = failure.args[0]
        assert error.code() == 56, error  # KAFKA_STORAGE_ERROR, nothing else
        outcome = "storage error"
    assert broker.alive()
    # The defect: a success while logs had failed to open.
    failed_logs = "cannot create log for made-while-starved" in broker.log()
    assert outcome == ("storage error" if failed_logs else "created"), outcome
    for hog in hogs:
        hog.close()
    # Every partition takes a record (at once when created; after the retry otherwise).
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all",
                         "message.timeout.ms": 60000})
    delivered, failed = [], []
    for p in range(partitions):
        producer.produce("made-while-starved", value=b"v%d" % p, partition=p,
                         on_delivery=lambda e, m: (failed if e else delivered).append(m))
    assert producer.flush(90) == 0, outcome
    assert not failed and len(delivered) == partitions, (outcome, failed[:3])
    assert sorted(m.partition() for m in delivered) == list(range(partitions))
