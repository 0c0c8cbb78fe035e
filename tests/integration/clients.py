"""Shared helpers for the storage/produce/consume integration tests: polling with a deadline,
topic admin through confluent-kafka, producing and consuming with kcat, confluent-kafka-python
and kafka-python, and checking what came back against what was sent."""

import subprocess
import time
from dataclasses import dataclass, field

from raw_client import Cursor

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.1):
    """Polls `condition` until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what} (last: {last!r})")


def now_ms() -> int:
    return int(time.time() * 1000)


# --- admin through confluent-kafka ------------------------------------------------------------

def admin_client(broker):
    """One AdminClient per broker object, kept with it: a client dropped while a request is in
    flight fails that request with _DESTROY."""
    from confluent_kafka.admin import AdminClient

    if getattr(broker, "itest_admin", None) is None:
        broker.itest_admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    return broker.itest_admin


def create_topic(broker, name: str, partitions: int = 1, configs: dict | None = None,
                 replication_factor: int = 1):
    """Creates a topic and waits until Metadata shows all its partitions with a leader."""
    from confluent_kafka.admin import NewTopic

    admin = admin_client(broker)
    topic = NewTopic(name, num_partitions=partitions, replication_factor=replication_factor,
                     config={k: str(v) for k, v in (configs or {}).items()})
    admin.create_topics([topic], operation_timeout=10)[name].result(timeout=20)
    wait_for_partitions(broker, name, partitions)


def wait_for_partitions(broker, name: str, partitions: int, timeout_s: float = 20.0):
    admin = admin_client(broker)

    def ready():
        topic = admin.list_topics(topic=name, timeout=10).topics.get(name)
        return topic is not None and topic.error is None and len(topic.partitions) == partitions \
            and all(p.leader == 1 for p in topic.partitions.values())

    wait_until(ready, timeout_s, f"topic {name} with {partitions} partitions")


def watermarks(broker, topic: str, partition: int) -> tuple[int, int]:
    """(log start offset, high watermark) through ListOffsets earliest/latest."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "eddy-watermarks",
                         "enable.auto.commit": False})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10,
                                              cached=False)
    finally:
        consumer.close()


# --- the records every round-trip test sends --------------------------------------------------

@dataclass
class Received:
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: list  # [(str, bytes)]
    timestamp_ms: int


@dataclass
class Workload:
    """`count` keyed records; record i has key key-<i>, a compressible value, two headers and,
    when the producer can set it, timestamp base_ms + i."""
    count: int
    label: str
    base_ms: int = field(default_factory=lambda: now_ms() - 3_600_000)

    def key(self, i: int) -> bytes:
        return b"key-%07d" % i

    def value(self, i: int) -> bytes:
        return b"value-%07d-" % i + b"abcdefghij" * (i % 7 + 1)

    def headers(self, i: int) -> list:
        return [("idx", b"%d" % i), ("label", self.label.encode())]

    def timestamp_ms(self, i: int) -> int:
        return self.base_ms + i


def index_of(key: bytes) -> int:
    assert key.startswith(b"key-"), key
    return int(key[4:])


def check_round_trip(workload: Workload, received: list, partitions: int,
                     headers_of=None, timestamps=None):
    """Asserts the exact count, per-partition order and dense offsets, keys, values, headers
    and timestamps. `headers_of(i)` overrides the expected headers; `timestamps` is None for
    exact timestamps, or a (low, high) window when the producer could not set them."""
    headers_of = headers_of or workload.headers
    assert len(received) == workload.count, f"got {len(received)} of {workload.count} records"
    by_partition = {}
    for record in received:
        by_partition.setdefault(record.partition, []).append(record)
    assert set(by_partition) <= set(range(partitions)), sorted(by_partition)
    assert len(by_partition) > 1, "keyed records should spread over several partitions"
    seen = set()
    for partition, records in by_partition.items():
        records.sort(key=lambda r: r.offset)
        assert [r.offset for r in records] == list(range(len(records))), \
            f"partition {partition}: offsets not dense from 0"
        indexes = [index_of(r.key) for r in records]
        assert indexes == sorted(indexes), f"partition {partition}: records out of order"
        previous_ts = None
        for record, i in zip(records, indexes):
            assert record.value == workload.value(i), f"value of record {i}"
            assert list(record.headers) == headers_of(i), f"headers of record {i}"
            if timestamps is None:
                assert record.timestamp_ms == workload.timestamp_ms(i), f"timestamp of {i}"
            else:
                low, high = timestamps
                assert low <= record.timestamp_ms <= high, f"timestamp of {i}"
                assert previous_ts is None or previous_ts <= record.timestamp_ms
                previous_ts = record.timestamp_ms
        seen.update(indexes)
    assert seen == set(range(workload.count)), "some records missing or duplicated"


# --- producers ----------------------------------------------------------------------------------

def produce_confluent(broker, topic: str, workload: Workload, codec: str,
                      extra: dict | None = None, timestamps: bool = True) -> list:
    """Produces the workload with acks=all; returns the delivery reports [(partition, offset)].
    librdkafka 2.0.2 puts every record with an explicit timestamp in a batch of its own (seen
    here; such tiny batches are then sent uncompressed), so `timestamps=False` leaves them to
    the producer when batching and compression matter."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all",
                         "compression.codec": codec, "linger.ms": 20,
                         "batch.num.messages": 10000, "queue.buffering.max.messages": 500000,
                         "queue.buffering.max.kbytes": 1048576, **(extra or {})})
    delivered, errors = [], []

    def on_delivery(error, message):
        if error is not None:
            errors.append(error)
        else:
            delivered.append((message.partition(), message.offset()))

    for i in range(workload.count):
        producer.produce(topic, key=workload.key(i), value=workload.value(i),
                         headers=workload.headers(i),
                         timestamp=workload.timestamp_ms(i) if timestamps else 0,
                         on_delivery=on_delivery)
        if i % 10000 == 0:
            producer.poll(0)
    remaining = producer.flush(60)
    assert remaining == 0, f"{remaining} records still queued"
    assert not errors, errors[:5]
    assert len(delivered) == workload.count
    return delivered


def produce_kafka_python(broker, topic: str, workload: Workload, codec: str):
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all",
                             compression_type=None if codec == "none" else codec,
                             linger_ms=20, batch_size=256 * 1024,
                             buffer_memory=256 * 1024 * 1024, max_request_size=8 * 1024 * 1024,
                             request_timeout_ms=30000)
    try:
        futures = [producer.send(topic, key=workload.key(i), value=workload.value(i),
                                 headers=workload.headers(i),
                                 timestamp_ms=workload.timestamp_ms(i))
                   for i in range(workload.count)]
        producer.flush(timeout=120)
        for future in futures[:: max(1, workload.count // 1000)] + futures[-1:]:
            assert future.get(timeout=1).offset >= 0
    finally:
        producer.close(timeout=10)


KCAT_HEADERS = [("source", b"kcat"), ("label", b"kcat-produced")]


def produce_kcat(broker, topic: str, workload: Workload, codec: str):
    """kcat cannot set per-message headers or timestamps: every record gets KCAT_HEADERS and a
    producer-side CreateTime."""
    lines = b"".join(workload.key(i) + b"|" + workload.value(i) + b"\n"
                     for i in range(workload.count))
    command = ["kcat", "-P", "-b", broker.bootstrap, "-t", topic, "-K", "|",
               "-X", f"compression.codec={codec}", "-X", "linger.ms=20",
               "-X", "batch.num.messages=10000", "-X", "acks=all",
               "-X", "queue.buffering.max.messages=500000"]
    for name, value in KCAT_HEADERS:
        command += ["-H", f"{name}={value.decode()}"]
    result = subprocess.run(command, input=lines, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")


# --- consumers ----------------------------------------------------------------------------------

def consume_confluent(broker, topic: str, partitions: int, count: int,
                      timeout_s: float = 60.0) -> list:
    """Reads `count` records from the beginning of every partition with assign() (no group)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "eddy-itest",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 100})
    received = []
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        deadline = time.monotonic() + timeout_s
        while len(received) < count and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=10000, timeout=1):
                assert message.error() is None, message.error()
                received.append(Received(message.partition(), message.offset(), message.key(),
                                         message.value(), message.headers() or [],
                                         message.timestamp()[1]))
        # Anything past `count` would be a duplicate: give it a moment to show up.
        for message in consumer.consume(num_messages=10000, timeout=0.5):
            if message.error() is None:
                received.append(Received(message.partition(), message.offset(), message.key(),
                                         message.value(), message.headers() or [],
                                         message.timestamp()[1]))
    finally:
        consumer.close()
    return received


def consume_kafka_python(broker, topic: str, partitions: int, count: int,
                         timeout_s: float = 90.0) -> list:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             fetch_max_wait_ms=100, max_partition_fetch_bytes=4 * 1024 * 1024,
                             request_timeout_ms=30000)
    received = []
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        consumer.seek_to_beginning()
        deadline = time.monotonic() + timeout_s
        while len(received) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000, max_records=20000).values():
                received.extend(Received(r.partition, r.offset, r.key, r.value, list(r.headers),
                                         r.timestamp) for r in records)
        for records in consumer.poll(timeout_ms=500).values():
            received.extend(Received(r.partition, r.offset, r.key, r.value, list(r.headers),
                                     r.timestamp) for r in records)
    finally:
        consumer.close()
    return received


KCAT_FORMAT = "%p\t%o\t%T\t%k\t%h\t%s\n"


def parse_kcat_headers(text: str) -> list:
    if not text:
        return []
    return [(name, value.encode()) for name, value in
            (pair.split("=", 1) for pair in text.split(","))]


def consume_kcat(broker, topic: str, partitions: int, timeout_s: float = 120.0) -> list:
    """Reads every partition from the beginning to its end, one kcat per partition."""
    received = []
    for partition in range(partitions):
        result = subprocess.run(
            ["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-p", str(partition),
             "-o", "beginning", "-e", "-q", "-f", KCAT_FORMAT],
            capture_output=True, timeout=timeout_s)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        for line in result.stdout.decode().splitlines():
            p, offset, ts, key, headers, value = line.split("\t")
            received.append(Received(int(p), int(offset), key.encode(), value.encode(),
                                     parse_kcat_headers(headers), int(ts)))
    return received


# --- raw requests (exact or deliberately broken bytes) ------------------------------------------

def kp_exchange(broker, request, correlation_id: int = 7):
    """Sends a kafka-python protocol request (non-flexible) and decodes its response."""
    import struct

    from kafka.protocol.api import RequestHeader

    from raw_client import RawConnection

    with RawConnection(broker.port, timeout_s=30) as connection:
        header = RequestHeader(request, correlation_id, "eddy-itest")
        connection.send_frame(header.encode() + request.encode())
        frame = connection.read_frame()
    assert frame is not None, "broker closed the connection"
    assert struct.unpack_from(">i", frame, 0)[0] == correlation_id
    return request.RESPONSE_TYPE.decode(frame[4:])


def v2_batch(count: int = 1, key: bytes | None = b"k", value: bytes = b"v",
             timestamp_ms: int | None = None, codec: int = 0) -> bytearray:
    """A magic v2 batch built by kafka-python (codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)."""
    from kafka.record.default_records import DefaultRecordBatchBuilder

    builder = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                        producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                        batch_size=16 * 1024 * 1024)
    timestamp_ms = now_ms() if timestamp_ms is None else timestamp_ms
    for i in range(count):
        builder.append(i, timestamp=timestamp_ms, key=key, value=value, headers=[])
    return builder.build()


def legacy_batch(magic: int) -> bytes:
    from kafka.record.legacy_records import LegacyRecordBatchBuilder

    builder = LegacyRecordBatchBuilder(magic=magic, compression_type=0, batch_size=1024 * 1024)
    builder.append(0, timestamp=now_ms() if magic == 1 else None, key=b"k", value=b"v")
    return bytes(builder.build())


def raw_produce(broker, topic: str, partition: int, records: bytes, version: int = 7,
                acks: int = -1) -> tuple[int, int]:
    """One partition's records in a ProduceRequest; returns (error code, base offset)."""
    from kafka.protocol.produce import ProduceRequest

    request = ProduceRequest[version](transactional_id=None, required_acks=acks, timeout=10000,
                                      topics=[(topic, [(partition, bytes(records))])])
    response = kp_exchange(broker, request)
    (_, partitions), = response.topics
    return partitions[0][1], partitions[0][2]


def raw_list_offsets(broker, topic: str, partition: int, timestamp: int) -> tuple[int, int, int]:
    """ListOffsets v1: (error code, timestamp, offset). -2 earliest, -1 latest."""
    from kafka.protocol.offset import OffsetRequest

    request = OffsetRequest[1](replica_id=-1, topics=[(topic, [(partition, timestamp)])])
    (_, partitions), = kp_exchange(broker, request).topics
    _, error, found_ts, offset = partitions[0]
    return error, found_ts, offset


def raw_fetch_v4(broker, topic: str, partition: int, offset: int, max_wait_ms: int = 0,
                 min_bytes: int = 1, max_bytes: int = 50 * 1024 * 1024,
                 partition_max_bytes: int = 1024 * 1024):
    """Fetch v4 for one partition: (error code, high watermark, record bytes)."""
    from kafka.protocol.fetch import FetchRequest

    request = FetchRequest[4](replica_id=-1, max_wait_time=max_wait_ms, min_bytes=min_bytes,
                              max_bytes=max_bytes, isolation_level=0,
                              topics=[(topic, [(partition, offset, partition_max_bytes)])])
    (_, partitions), = kp_exchange(broker, request).topics
    _, error, high_watermark, _, _, records = partitions[0]
    return error, high_watermark, records or b""


def decode_batches(data: bytes) -> list:
    """[(base offset, record count)] of the whole v2 batches in `data` (a trailing partial
    batch, which Fetch may return, is ignored)."""
    import struct

    batches, position = [], 0
    while position + 61 <= len(data):
        base_offset, length = struct.unpack_from(">qi", data, position)
        if position + 12 + length > len(data):
            break
        count, = struct.unpack_from(">i", data, position + 57)
        batches.append((base_offset, count))
        position += 12 + length
    return batches


# --- hand-written flexible requests kafka-python lacks -----------------------------------------

def flexible_exchange(broker, api_key: int, version: int, body: bytes,
                      correlation_id: int = 11) -> Cursor:
    """Sends a flexible request (header v2) and returns a cursor past the response header v1."""
    from raw_client import RawConnection

    with RawConnection(broker.port, timeout_s=30) as connection:
        connection.send_request(api_key, version, body, correlation_id=correlation_id,
                                flexible=True)
        frame = connection.read_frame()
    assert frame is not None, "broker closed the connection"
    cursor = Cursor(frame)
    assert cursor.take("i") == correlation_id
    cursor.skip_tags()
    return cursor


def topic_ids(broker, topics: list) -> dict:
    """Topic name -> 16-byte topic id, through Metadata v12."""
    import struct

    from raw_client import compact_string, uvarint

    body = uvarint(len(topics) + 1)
    for name in topics:
        body += bytes(16) + compact_string(name) + uvarint(0)
    body += struct.pack(">??", False, False) + uvarint(0)
    cursor = flexible_exchange(broker, 3, 12, body)
    cursor.take("i")  # throttle

    def broker_entry():
        cursor.take("i")
        cursor.compact_string()
        cursor.take("i")
        cursor.compact_string()
        cursor.skip_tags()

    cursor.compact_array(broker_entry)
    cursor.compact_string()  # cluster id
    cursor.take("i")  # controller

    def partition_entry():
        cursor.take("hiii")
        for _ in range(3):
            cursor.compact_array(lambda: cursor.take("i"))
        cursor.skip_tags()

    def topic_entry():
        error = cursor.take("h")
        name = cursor.compact_string()
        topic_id = cursor.uuid()
        cursor.take("?")
        cursor.compact_array(partition_entry)
        cursor.take("i")
        cursor.skip_tags()
        return name, error, topic_id

    found = {name: topic_id for name, error, topic_id in cursor.compact_array(topic_entry)
             if error == 0}
    return found


def fetch_v13(broker, topic_id: bytes, partition: int, offset: int,
              max_wait_ms: int = 0, min_bytes: int = 1):
    """Fetch v13 by topic id: (top-level error, topic id, partition error, hw, records)."""
    import struct

    from raw_client import compact_string, uvarint

    body = struct.pack(">iiiibii", -1, max_wait_ms, min_bytes, 50 * 1024 * 1024, 0, 0, -1)
    body += uvarint(2) + topic_id + uvarint(2)
    body += struct.pack(">iiqiqi", partition, -1, offset, -1, -1, 1024 * 1024) + uvarint(0)
    body += uvarint(0)  # topic tags
    body += uvarint(1) + compact_string("") + uvarint(0)  # no forgotten topics, rack, tags
    cursor = flexible_exchange(broker, 1, 13, body)
    cursor.take("i")
    error = cursor.take("h")
    cursor.take("i")

    def partition_entry():
        index, part_error, high_watermark = cursor.take("ihq")
        cursor.take("qq")
        cursor.compact_array(lambda: (cursor.take("qq"), cursor.skip_tags()))
        cursor.take("i")
        records = cursor.compact_bytes()
        cursor.skip_tags()
        return index, part_error, high_watermark, records or b""

    def topic_entry():
        found_id = cursor.uuid()
        partitions = cursor.compact_array(partition_entry)
        cursor.skip_tags()
        return found_id, partitions

    topics = cursor.compact_array(topic_entry)
    assert len(topics) == 1, topics
    found_id, partitions = topics[0]
    _, part_error, high_watermark, records = partitions[0]
    return error, found_id, part_error, high_watermark, records


CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def stored_codecs(broker, topic: str, partition: int) -> set:
    """The compression codecs of the batches stored in a partition's segment files (attributes
    low 3 bits), read with the documented on-disk layout."""
    import struct

    codecs = set()
    for segment in sorted((broker.data_dir / f"{topic}-{partition}").glob("*.log")):
        data = segment.read_bytes()
        position = 0
        while position + 23 <= len(data):
            _, length = struct.unpack_from(">qi", data, position)
            attributes, = struct.unpack_from(">h", data, position + 21)
            codecs.add(attributes & 7)
            position += 12 + length
    return codecs
