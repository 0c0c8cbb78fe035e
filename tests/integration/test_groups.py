"""Consumer groups through real clients: confluent-kafka members that join, leave and die
(eager and cooperative-sticky), kafka-python and kafkajs groups that consume a topic and
commit, and kafka-python's admin client on groups (list, describe, offsets, delete)."""

import threading

import pytest

from clients import Workload, create_topic, produce_confluent, wait_until, watermarks
from group_clients import (JsGroup, MemberProcess, balanced_cover, close_kp_admin,
                           committed_offsets, describe_group, group_matches, kp_admin,
                           member_partitions)

FAST_GROUPS = {"group.initial.rebalance.delay.ms": 0}
PARTITIONS = 6


def assignments(members):
    return [m.assigned for m in members]


def produce_to_each_partition(broker, topic, partitions, per_partition=10):
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    for partition in range(partitions):
        for i in range(per_partition):
            producer.produce(topic, value=b"record-%d-%d" % (partition, i), partition=partition)
    assert producer.flush(30) == 0


def wait_for_group(broker, group, topic, members, partitions, timeout_s, what):
    """Polls until the members' reported assignments cover the topic disjointly and the
    coordinator describes the same assignment (Stable)."""
    return wait_until(lambda: group_matches(broker, group, topic, assignments(members),
                                            partitions), timeout_s, what, interval_s=0.2)


@pytest.mark.parametrize("strategy", ["range", "cooperative-sticky"])
def test_members_share_partitions_and_take_over(eddy_factory, strategy):
    broker = eddy_factory(overrides=FAST_GROUPS)
    topic, group = "shared", f"g-{strategy}"
    create_topic(broker, topic, partitions=PARTITIONS)
    members = [MemberProcess(broker, group, topic, strategy) for _ in range(3)]
    try:
        described = wait_for_group(broker, group, topic, members, PARTITIONS, 60,
                                   "3 members covering 6 partitions")
        assert described.protocol_type == "consumer"
        assert described.protocol == strategy
        assert all(len(a) == 2 for a in assignments(members)), assignments(members)
        before = [list(a) for a in assignments(members)]

        # A member that closes sends LeaveGroup: the two others take over its partitions.
        members[0].close()
        survivors = members[1:]
        wait_for_group(broker, group, topic, survivors, PARTITIONS, 60,
                       "2 members covering 6 partitions after a close")
        if strategy == "cooperative-sticky":
            for kept, now in zip(before[1:], assignments(survivors)):
                assert set(kept) <= set(now), f"sticky assignor moved {kept} -> {now}"

        # A member killed without leaving is removed after its session timeout.
        survivors[0].kill9()
        wait_for_group(broker, group, topic, survivors[1:], PARTITIONS, 60,
                       "the last member owning every partition after the session timeout")
        assert assignments(survivors[1:]) == [list(range(PARTITIONS))]
        # It really consumes what it took over.
        produce_to_each_partition(broker, topic, PARTITIONS)
        wait_until(lambda: survivors[1].read == list(range(PARTITIONS)), 30,
                   "the last member reading every partition")
    finally:
        for member in members:
            member.ensure_stopped()
        close_kp_admin(broker)


def expected_records(workload):
    return sorted((workload.key(i), workload.value(i)) for i in range(workload.count))


def check_commits_at_end(broker, group, topic, partitions):
    ends = {(topic, p): watermarks(broker, topic, p)[1] for p in range(partitions)}
    committed = {tp: offset for tp, (offset, _) in committed_offsets(broker, group).items()}
    assert committed == ends


def test_kafka_python_group_consumes_and_commits(eddy_factory):
    from kafka import KafkaConsumer

    broker = eddy_factory(overrides=FAST_GROUPS)
    topic, group, partitions = "kp-group", "kp-group", 4
    create_topic(broker, topic, partitions=partitions)
    workload = Workload(2000, "kp-group")
    received, assigned = [], {}
    stop = threading.Event()
    lock = threading.Lock()
    errors = []

    # kafka-python consumers are not thread-safe and block in poll() during a rebalance: one
    # thread per member, each committing and closing itself.
    def member(index):
        try:
            consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group,
                                     enable_auto_commit=False, auto_offset_reset="earliest",
                                     session_timeout_ms=6000, heartbeat_interval_ms=500,
                                     fetch_max_wait_ms=100)
            while not stop.is_set():
                batches = consumer.poll(timeout_ms=200)
                with lock:
                    assigned[index] = sorted(tp.partition for tp in consumer.assignment())
                    for records in batches.values():
                        received.extend((r.partition, r.offset, r.key, r.value) for r in records)
            consumer.commit()
            consumer.close()
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=member, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        def both_assigned():
            with lock:
                current = [assigned.get(i) for i in range(2)]
            return group_matches(broker, group, topic, current, partitions)

        wait_until(both_assigned, 60, "2 kafka-python members sharing 4 partitions", 0.2)
        produce_confluent(broker, topic, workload, "none", timestamps=False)

        def all_received():
            with lock:
                return len(received) >= workload.count or errors

        wait_until(all_received, 60, f"{workload.count} records")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert len(received) == workload.count, "duplicates"
    assert sorted((k, v) for _, _, k, v in received) == expected_records(workload)
    check_commits_at_end(broker, group, topic, partitions)
    close_kp_admin(broker)


def test_kafkajs_group_consumes_and_commits(eddy_factory):
    broker = eddy_factory(overrides=FAST_GROUPS)
    topic, group, partitions = "js-group", "js-group", 4
    create_topic(broker, topic, partitions=partitions)
    workload = Workload(2000, "js-group")
    js = JsGroup(broker, group, topic, members=2, expected=workload.count)
    try:
        wait_until(lambda: group_matches(broker, group, topic,
                                         [js.assigned.get(i) for i in range(2)], partitions),
                   60, "2 kafkajs members sharing 4 partitions", 0.2)
        produce_confluent(broker, topic, workload, "none", timestamps=False)
        done = js.wait(timeout_s=120)
    finally:
        js.ensure_stopped()
    received = done["records"]
    assert len(received) == workload.count, "duplicates"
    got = sorted((k.encode(), v.encode()) for _, _, k, v in received)
    assert got == expected_records(workload)
    check_commits_at_end(broker, group, topic, partitions)
    assert describe_group(broker, group).state == "Empty"
    close_kp_admin(broker)


def test_admin_lists_describes_and_deletes_groups(eddy_factory):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import GroupIdNotFoundError, NoError, NonEmptyGroupError
    from kafka.structs import OffsetAndMetadata

    broker = eddy_factory(overrides=FAST_GROUPS)
    topic = "admin-groups"
    create_topic(broker, topic, partitions=3)
    produce_confluent(broker, topic, Workload(30, "admin"), "none", timestamps=False)

    # "idle": a consumer group that committed offsets (with metadata strings) and left: Empty.
    idle = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id="idle",
                         enable_auto_commit=False, session_timeout_ms=6000)
    wait_until(lambda: idle.poll(timeout_ms=100) is not None and len(idle.assignment()) == 3,
               60, "the idle group's member assigned")
    idle.commit({TopicPartition(topic, 0): OffsetAndMetadata(7, "seven"),
                 TopicPartition(topic, 2): OffsetAndMetadata(3, "")})
    idle.close()
    # "simple": offsets committed outside group management: no protocol type, as in Kafka.
    simple = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="simple",
                           enable_auto_commit=False)
    simple.commit({TopicPartition(topic, 1): OffsetAndMetadata(5, "five")})
    simple.close()

    active = MemberProcess(broker, "active", topic, "roundrobin")
    try:
        described = wait_until(lambda: group_matches(broker, "active", topic, [active.assigned],
                                                     3), 60, "the active group Stable", 0.2)
        admin = kp_admin(broker)
        listed = dict(admin.list_consumer_groups())
        assert {g: listed.get(g) for g in ("active", "idle", "simple")} == \
            {"active": "consumer", "idle": "consumer", "simple": ""}, listed

        assert described.error_code == 0
        assert (described.group, described.state, described.protocol_type,
                described.protocol) == ("active", "Stable", "consumer", "roundrobin")
        member, = described.members
        assert member.member_id and member.client_id == "rdkafka"
        assert member.client_host.lstrip("/") == "127.0.0.1"
        assert list(member.member_metadata.subscription) == [topic]
        assert member_partitions(member, topic) == [0, 1, 2]

        idle = describe_group(broker, "idle")
        assert (idle.error_code, idle.state, idle.protocol_type, idle.members) == \
            (0, "Empty", "consumer", [])
        simple = describe_group(broker, "simple")
        assert (simple.error_code, simple.state, simple.protocol_type, simple.members) == \
            (0, "Empty", "", [])
        unknown = describe_group(broker, "never-seen")
        assert (unknown.error_code, unknown.state, unknown.members) == (0, "Dead", [])

        assert committed_offsets(broker, "idle") == {(topic, 0): (7, "seven"),
                                                     (topic, 2): (3, "")}
        assert committed_offsets(broker, "simple") == {(topic, 1): (5, "five")}
        assert committed_offsets(broker, "never-seen") == {}

        deleted = ["active", "idle", "simple", "never-seen"]
        results = dict(admin.delete_consumer_groups(deleted))
        assert results == {"active": NonEmptyGroupError, "idle": NoError, "simple": NoError,
                           "never-seen": GroupIdNotFoundError}, results
        listed = dict(admin.list_consumer_groups())
        assert "idle" not in listed and "simple" not in listed and "active" in listed, listed
        assert describe_group(broker, "idle").state == "Dead"
        assert committed_offsets(broker, "idle") == {}
        assert describe_group(broker, "active").state == "Stable"
    finally:
        active.ensure_stopped()
        close_kp_admin(broker)


def test_confluent_admin_list_groups(eddy_factory):
    """confluent-kafka 1.7's AdminClient.list_groups (ListGroups + DescribeGroups)."""
    from clients import admin_client

    broker = eddy_factory(overrides=FAST_GROUPS)
    topic = "confluent-groups"
    create_topic(broker, topic, partitions=2)
    member = MemberProcess(broker, "watched", topic, "range")
    try:
        wait_until(lambda: group_matches(broker, "watched", topic, [member.assigned], 2), 60,
                   "the group Stable", 0.2)
        groups = {g.id: g for g in admin_client(broker).list_groups(timeout=20)}
        watched = groups["watched"]
        assert watched.error is None
        assert (watched.state, watched.protocol_type, watched.protocol) == \
            ("Stable", "consumer", "range")
        assert len(watched.members) == 1 and watched.members[0].assignment
        assert balanced_cover([member.assigned], 2)
    finally:
        member.ensure_stopped()
        close_kp_admin(broker)
