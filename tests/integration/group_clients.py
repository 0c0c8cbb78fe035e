"""Helpers for the consumer-group and compaction integration tests: group members in their own
processes (so that one can be killed with SIGKILL), group answers through kafka-python's
KafkaAdminClient, pipelined raw OffsetCommit requests, the kafkajs driver, and reading a
partition's batches and records as stored (offsets with gaps, tombstones, delete horizons).

Run as a script, `group_clients.py member <bootstrap> <group> <topic> <strategy>` is one
confluent-kafka group member that prints its assignment as a JSON line whenever it changes, and
the partitions it has received records from since, and leaves the group cleanly on SIGTERM."""

import json
import signal
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
JS_DIR = HERE.parent / "js"
SESSION_TIMEOUT_MS = 6000  # the broker's default group.min.session.timeout.ms


# --- one confluent-kafka group member per process ----------------------------------------------

def run_member(bootstrap: str, group: str, topic: str, strategy: str) -> int:
    from confluent_kafka import Consumer

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "partition.assignment.strategy": strategy,
                         "session.timeout.ms": SESSION_TIMEOUT_MS,
                         "heartbeat.interval.ms": 500, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "fetch.wait.max.ms": 100})
    consumer.subscribe([topic])
    reported, read = None, set()
    while not stopping:
        message = consumer.poll(0.1)
        if message is not None and message.error() is not None:
            print(json.dumps({"error": str(message.error())}), flush=True)
        elif message is not None and message.partition() not in read:
            read.add(message.partition())
            print(json.dumps({"read": sorted(read)}), flush=True)
        current = sorted(tp.partition for tp in consumer.assignment())
        if current != reported:
            print(json.dumps({"assigned": current}), flush=True)
            reported, read = current, set()
    consumer.close()
    print(json.dumps({"closed": True}), flush=True)
    return 0


class MemberProcess:
    """A `run_member` subprocess; a reader thread keeps its latest reported assignment."""

    def __init__(self, broker, group: str, topic: str, strategy: str):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "member", broker.bootstrap, group,
             topic, strategy], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assigned: list | None = None
        self.read: list = []  # partitions it received records from since its last assignment
        self.lines: list = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            try:
                event = json.loads(line)
            except ValueError:
                continue  # librdkafka's own log lines
            if "assigned" in event:
                self.assigned, self.read = event["assigned"], []
            if "read" in event:
                self.read = event["read"]

    def close(self, timeout_s: float = 30.0) -> None:
        """Leaves the group (consumer.close) and checks the process exited cleanly."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout_s)
        self._reader.join(timeout=5)
        assert code == 0, f"member exited with {code}: {self.lines[-20:]}"
        assert '{"closed": true}' in self.lines, self.lines[-20:]

    def kill9(self) -> None:
        """Dies without leaving the group: the coordinator only learns by the session timeout."""
        self.process.kill()
        self.process.wait(timeout=10)

    def ensure_stopped(self) -> None:
        if self.process.poll() is None:
            self.kill9()


# --- group answers through kafka-python's admin client ------------------------------------------

def kp_admin(broker):
    """One KafkaAdminClient per broker object, closed by `close_kp_admin`."""
    from kafka.admin import KafkaAdminClient

    if getattr(broker, "itest_kp_admin", None) is None:
        broker.itest_kp_admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap,
                                                 request_timeout_ms=30000)
    return broker.itest_kp_admin


def close_kp_admin(broker) -> None:
    if getattr(broker, "itest_kp_admin", None) is not None:
        broker.itest_kp_admin.close()
        broker.itest_kp_admin = None


def describe_group(broker, group: str):
    """kafka-python's GroupInformation: state, protocol_type, protocol, members (decoded)."""
    described, = kp_admin(broker).describe_consumer_groups([group])
    return described


def member_partitions(member, topic: str) -> list:
    """The partitions of `topic` in a described member's decoded assignment."""
    assignment = member.member_assignment
    if not assignment:
        return []
    return sorted(p for name, partitions in assignment.assignment if name == topic
                  for p in partitions)


def balanced_cover(assignments: list, partitions: int) -> bool:
    """Every member has partitions, no partition twice, every partition once."""
    if any(not a for a in assignments):
        return False
    flat = [p for a in assignments for p in a]
    return len(flat) == len(set(flat)) and set(flat) == set(range(partitions))


def group_matches(broker, group: str, topic: str, assignments: list, partitions: int):
    """The coordinator's view equals the members' own: Stable, one member per client, the same
    assignments. Returns the description when so (for `wait_until`)."""
    if not balanced_cover(assignments, partitions):
        return None
    described = describe_group(broker, group)
    if described.state != "Stable" or len(described.members) != len(assignments):
        return None
    seen = sorted(member_partitions(m, topic) for m in described.members)
    return described if seen == sorted(sorted(a) for a in assignments) else None


def committed_offsets(broker, group: str) -> dict:
    """{(topic, partition): (offset, metadata)} through OffsetFetch (kafka-python admin)."""
    found = kp_admin(broker).list_consumer_group_offsets(group)
    return {(tp.topic, tp.partition): (om.offset, om.metadata) for tp, om in found.items()}


def wait_for_coordinator(broker, group: str, timeout_s: float = 30.0) -> None:
    """FindCoordinator until it answers NONE, as every client does before its first commit
    (the first one creates `__consumer_offsets`)."""
    from kafka.protocol.commit import GroupCoordinatorRequest

    from clients import kp_exchange, wait_until

    wait_until(lambda: kp_exchange(broker, GroupCoordinatorRequest[0](group)).error_code == 0,
               timeout_s, f"a coordinator for {group}")


# --- raw OffsetCommit, pipelined ------------------------------------------------------------------

def pipelined_commits(broker, group: str, topic: str, commits: list, window: int = 500) -> None:
    """Sends OffsetCommit v2 requests (generation -1: commits outside group management), one
    per (partition, offset) in `commits`, `window` at a time on one connection, and checks
    every answer is NONE."""
    from kafka.protocol.api import RequestHeader
    from kafka.protocol.commit import OffsetCommitRequest

    from raw_client import RawConnection

    wait_for_coordinator(broker, group)
    with RawConnection(broker.port, timeout_s=60) as connection:
        for start in range(0, len(commits), window):
            chunk = commits[start:start + window]
            frames = bytearray()
            for n, (partition, offset) in enumerate(chunk):
                request = OffsetCommitRequest[2](
                    consumer_group=group, consumer_group_generation_id=-1, consumer_id="",
                    retention_time=-1, topics=[(topic, [(partition, offset, "m%d" % offset)])])
                header = RequestHeader(request, start + n, "eddy-itest")  # kept: weak encode()
                body = header.encode() + request.encode()
                frames += struct.pack(">i", len(body)) + body
            connection.send_raw(bytes(frames))
            for n in range(len(chunk)):
                frame = connection.read_frame()
                assert frame is not None, "broker closed the connection"
                assert struct.unpack_from(">i", frame, 0)[0] == start + n
                response = OffsetCommitRequest[2].RESPONSE_TYPE.decode(frame[4:])
                (_, ((_, error),)), = response.topics
                assert error == 0, f"OffsetCommit {start + n}: error {error}"


# --- a partition as stored: batches and records, gaps included ---------------------------------

DELETE_HORIZON_BIT = 0x40


@dataclass
class StoredRecord:
    offset: int
    key: bytes | None
    value: bytes | None
    delete_horizon_ms: int | None  # the batch's horizon when its delete-horizon bit is set


def read_partition(broker, topic: str, partition: int = 0, max_fetches: int = 10000) -> list:
    """Every record from offset 0 to the high watermark, through Fetch v4 (one request per
    step; the next offset is the last batch's base offset + last offset delta + 1, so offsets
    removed by compaction are skipped the way a client skips them)."""
    from kafka.record.default_records import DefaultRecordBatch

    from clients import raw_fetch_v4

    records, offset = [], 0
    for _ in range(max_fetches):
        error, high_watermark, data = raw_fetch_v4(broker, topic, partition, offset)
        assert error == 0, f"fetch at {offset}: error {error}"
        if offset >= high_watermark:
            return records
        position, progressed = 0, False
        while position + 61 <= len(data):
            base_offset, length = struct.unpack_from(">qi", data, position)
            if position + 12 + length > len(data):
                break
            batch_bytes = bytes(data[position:position + 12 + length])
            attributes, last_delta, base_ts = struct.unpack_from(">hiq", batch_bytes, 21)
            horizon = base_ts if attributes & DELETE_HORIZON_BIT else None
            for record in DefaultRecordBatch(batch_bytes):
                if record.offset >= offset:
                    records.append(StoredRecord(record.offset, record.key, record.value, horizon))
            offset = max(offset, base_offset + last_delta + 1)
            position += 12 + length
            progressed = True
        assert progressed, f"no whole batch at offset {offset} below hw {high_watermark}"
    raise AssertionError(f"{topic}-{partition}: more than {max_fetches} fetches")


def log_bytes(broker, topic: str, partition: int = 0) -> int:
    """Total size of the partition's .log files on disk."""
    return sum(p.stat().st_size for p in (broker.data_dir / f"{topic}-{partition}").glob("*.log"))


def segment_bases(broker, topic: str, partition: int = 0) -> list:
    return sorted(int(p.stem) for p in (broker.data_dir / f"{topic}-{partition}").glob("*.log"))


# --- kafkajs ------------------------------------------------------------------------------------

class JsGroup:
    """`node tests/js/group_consume.js`: `members` kafkajs consumers in one group that print
    their assignments, consume `expected` records, commit and leave."""

    def __init__(self, broker, group: str, topic: str, members: int, expected: int):
        assert (JS_DIR / "node_modules" / "kafkajs").is_dir(), \
            "kafkajs missing: run `npm ci --prefix tests/js` (scripts/install-deps.sh does)"
        self.process = subprocess.Popen(
            ["node", str(JS_DIR / "group_consume.js"), broker.bootstrap, group, topic,
             str(members), str(expected)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assigned: dict = {}
        self.done = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            event = json.loads(line)
            if event["event"] == "joined":
                self.assigned[event["member"]] = event["partitions"]
            elif event["event"] == "done":
                self.done = event

    def wait(self, timeout_s: float) -> dict:
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"kafkajs group did not finish: {self.process.stderr.read()}")
        self._reader.join(timeout=5)
        assert code == 0, f"kafkajs exited with {code}: {self.process.stderr.read()}"
        assert self.done is not None
        return self.done

    def ensure_stopped(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "member":
        sys.exit(run_member(*sys.argv[2:]))
    sys.exit(f"usage: {sys.argv[0]} member <bootstrap> <group> <topic> <strategy>")
