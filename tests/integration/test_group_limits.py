"""Group metadata is bounded (issue 10, defect 4): JoinGroup and SyncGroup carrying tens of MB of
protocol metadata or assignments get Kafka's answer for a group record that cannot be stored
(UNKNOWN_SERVER_ERROR), the group keeps working for normal members, and the broker's memory
goes back to where it was (VmRSS from /proc)."""

import struct

from clients import create_topic, wait_until
from group_clients import wait_for_coordinator
from raw_client import RawConnection

UNKNOWN_SERVER_ERROR = -1
HUGE_BYTES = 30 * 1024 * 1024  # what the fuzz campaign sent
ROUNDS = 4
# RSS after the rounds may exceed RSS before by at most this much: half of one payload. One
# round moves about 60 MB through the broker (the request frame and its decoded copy); a broker
# that kept the metadata, the assignments, the record built from them, or freed blocks in the
# allocator's heap would hold 30 MB or more.
RSS_GROWTH_BOUND_KB = 16 * 1024
FAST_GROUPS = {"group.initial.rebalance.delay.ms": 0}


def rss_kb(broker) -> int:
    with open(f"/proc/{broker.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS line")


class GroupConnection:
    """One raw connection speaking kafka-python's JoinGroup v1 / SyncGroup v1 / LeaveGroup v1
    (v1-3 JoinGroup: no MEMBER_ID_REQUIRED round trip)."""

    def __init__(self, broker):
        self.connection = RawConnection(broker.port, timeout_s=60)
        self.correlation_id = 0

    def close(self):
        self.connection.close()

    def exchange(self, request):
        from kafka.protocol.api import RequestHeader

        self.correlation_id += 1
        header = RequestHeader(request, self.correlation_id, "eddy-limits")
        self.connection.send_frame(header.encode() + request.encode())
        frame = self.connection.read_frame()
        assert frame is not None, "broker closed the connection"
        assert struct.unpack_from(">i", frame, 0)[0] == self.correlation_id
        return request.RESPONSE_TYPE.decode(frame[4:])

    def join(self, group, member_id="", metadata=b"\x00\x01", protocols=("range",)):
        from kafka.protocol.group import JoinGroupRequest

        return self.exchange(JoinGroupRequest[1](group, 10000, 10000, member_id, "consumer",
                                                 [(name, metadata) for name in protocols]))

    def sync(self, group, generation, member_id, assignment):
        from kafka.protocol.group import SyncGroupRequest

        return self.exchange(SyncGroupRequest[1](group, generation, member_id,
                                                 [(member_id, assignment)]))

    def leave(self, group, member_id):
        from kafka.protocol.group import LeaveGroupRequest

        return self.exchange(LeaveGroupRequest[1](group, member_id))


def form_generation(connection, group, member_id=""):
    """Joins alone (initial delay 0) and returns (member id, generation) as the leader."""
    joined = connection.join(group, member_id)
    assert joined.error_code == 0, joined
    assert joined.leader_id == joined.member_id
    return joined.member_id, joined.generation_id


def one_normal_round(broker, group) -> None:
    connection = GroupConnection(broker)
    try:
        member, generation = form_generation(connection, group)
        synced = connection.sync(group, generation, member, b"assignment")
        assert synced.error_code == 0 and synced.member_assignment == b"assignment"
        assert connection.leave(group, member).error_code == 0
    finally:
        connection.close()


def test_huge_join_and_sync_metadata_get_kafkas_error_and_leave_no_memory(eddy_factory):
    broker = eddy_factory(overrides=FAST_GROUPS)
    group = "limits"
    wait_for_coordinator(broker, group)
    for _ in range(2):
        one_normal_round(broker, group)  # warms every path (and the allocator) first
    before_kb = rss_kb(broker)

    huge = b"\x5a" * HUGE_BYTES
    for _ in range(ROUNDS):
        # JoinGroup whose metadata can never be stored: refused before anything is kept.
        connection = GroupConnection(broker)
        try:
            refused = connection.join(group, metadata=huge)
            assert refused.error_code == UNKNOWN_SERVER_ERROR, refused.error_code
            # Two protocols of half the size each: the member's total is what counts.
            refused = connection.join(group, metadata=huge[:HUGE_BYTES // 2],
                                      protocols=("range", "roundrobin"))
            assert refused.error_code == UNKNOWN_SERVER_ERROR, refused.error_code
            # The leader's SyncGroup with a huge assignment: storeGroup's answer, and the
            # group rebalances (Kafka's doSyncGroup).
            member, generation = form_generation(connection, group)
            failed = connection.sync(group, generation, member, huge)
            assert failed.error_code == UNKNOWN_SERVER_ERROR, failed.error_code
            # The same member carries on: rejoins and syncs a storable assignment.
            member, generation = form_generation(connection, group, member)
            synced = connection.sync(group, generation, member, b"fits")
            assert synced.error_code == 0 and synced.member_assignment == b"fits"
            assert connection.leave(group, member).error_code == 0
        finally:
            connection.close()

    assert "exceeds the" in broker.log() or "refusing a JoinGroup" in broker.log()
    after_kb = rss_kb(broker)
    print(f"VmRSS before {before_kb} kB, after {ROUNDS} rounds {after_kb} kB "
          f"(growth {after_kb - before_kb} kB, bound {RSS_GROWTH_BOUND_KB} kB)")
    assert after_kb - before_kb <= RSS_GROWTH_BOUND_KB, (before_kb, after_kb)

    # Normal members still form the group and consume through it.
    topic = "limits-topic"
    create_topic(broker, topic, 2)
    produce(broker, topic, [b"v%d" % i for i in range(20)])
    consumed = consume_in_group(broker, group, topic, 20)
    assert sorted(consumed) == sorted(b"v%d" % i for i in range(20))
    assert broker.alive()


def produce(broker, topic, values):
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    for value in values:
        producer.produce(topic, value=value)
    assert producer.flush(30) == 0


def consume_in_group(broker, group, topic, count):
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    values = []
    try:
        consumer.subscribe([topic])

        def enough():
            for message in consumer.consume(num_messages=100, timeout=0.5):
                if message.error() is None:
                    values.append(message.value())
            return len(values) >= count

        wait_until(enough, 60, f"{count} records through group {group}", interval_s=0)
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    return values
