#!/usr/bin/python3
"""Counts the heap allocations the real `eddy` broker makes per produced record.

Starts the broker under the alloc counter shim (LD_PRELOAD, see alloc_counter.cc), sends Produce
v9 requests over one TCP connection, each holding one v2 batch of K records, and reads the
shim's live counter around each run. Standard library only (plus python3-lz4 for the compressed
rows). See bench/alloc/README.md for the method; --check is the CTest mode.
"""

import argparse
import mmap
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDS_PER_BATCH = (1, 10, 100, 1000)
CHECK_LIMIT_PER_RECORD = 0.01
PARTITIONS = 6
IN_FLIGHT = 32  # pipelined requests on the connection; well under the broker's bound

# ---------------------------------------------------------------------------------------------
# Wire encoding (facts from the Kafka protocol guide; written here so the bench does not
# measure itself with Eddy's own codecs).


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def varint(value: int) -> bytes:
    return uvarint((value << 1) ^ (value >> 63))  # zigzag


def compact_string(text: str | None) -> bytes:
    if text is None:
        return uvarint(0)
    data = text.encode()
    return uvarint(len(data) + 1) + data


def encode_record(offset_delta: int, key: bytes, value: bytes) -> bytes:
    body = (b"\x00" + varint(offset_delta) + varint(offset_delta) + varint(len(key)) + key +
            varint(len(value)) + value + varint(0))  # attributes, ts delta, ..., no headers
    return varint(len(body)) + body


COMPRESSION_IDS = {"none": 0, "lz4": 3}


def compress(codec: str, data: bytes) -> bytes:
    if codec == "none":
        return data
    import lz4.frame  # python3-lz4; only needed for the compressed rows
    return lz4.frame.compress(data)


def record_batch(count: int, codec: str, value_bytes: int) -> bytes:
    """One magic-2 batch of `count` keyed records, producer id -1 (no idempotence)."""
    records = b"".join(
        encode_record(i, b"key-%05d" % (i % 64), bytes([65 + i % 26]) * value_bytes)
        for i in range(count))
    timestamp_ms = int(time.time() * 1000)
    after_crc = struct.pack(">hiqqqhii", COMPRESSION_IDS[codec], count - 1, timestamp_ms,
                            timestamp_ms + count - 1, -1, -1, -1, count) + compress(codec, records)
    crc = crc32c(after_crc)
    batch_length = 4 + 1 + 4 + len(after_crc)  # leader epoch, magic, crc, rest
    return struct.pack(">qiibI", 0, batch_length, -1, 2, crc) + after_crc


def request_frame(api_key: int, version: int, correlation_id: int, body: bytes) -> bytes:
    client_id = b"alloc-bench"
    header = (struct.pack(">hhih", api_key, version, correlation_id, len(client_id)) +
              client_id + uvarint(0))  # request header v2: tagged fields
    return struct.pack(">i", len(header) + len(body)) + header + body


def produce_body(topic: str, partition: int, batch: bytes) -> bytes:
    """Produce v9 (flexible), acks=1, one topic, one partition."""
    return (uvarint(0) + struct.pack(">hi", 1, 30000) + uvarint(2) + compact_string(topic) +
            uvarint(2) + struct.pack(">i", partition) + uvarint(len(batch) + 1) + batch +
            uvarint(0) + uvarint(0) + uvarint(0))


def create_topics_body(topic: str, configs: dict[str, str]) -> bytes:
    """CreateTopics v5 (flexible): one topic, PARTITIONS partitions, replication 1."""
    config_bytes = b"".join(
        compact_string(name) + compact_string(value) + uvarint(0) for name, value in configs.items())
    return (uvarint(2) + compact_string(topic) + struct.pack(">ih", PARTITIONS, 1) + uvarint(1) +
            uvarint(len(configs) + 1) + config_bytes + uvarint(0) + struct.pack(">i?", 30000, False)
            + uvarint(0))


class Reader:
    """Decodes the primitive fields of a flexible response."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from(fmt, self.data, self.position)
        self.position += struct.calcsize(fmt)
        return values[0] if len(values) == 1 else values

    def uvarint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def compact_bytes(self) -> bytes | None:
        size = self.uvarint() - 1
        if size < 0:
            return None
        out = self.data[self.position:self.position + size]
        self.position += size
        return out

    def skip_tags(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()
            size = self.uvarint()
            self.position += size


def produce_errors(response: bytes) -> list[int]:
    """Error codes of every partition in a Produce v9 response (after the correlation id)."""
    reader = Reader(response)
    reader.skip_tags()  # response header v1
    errors = []
    for _ in range(reader.uvarint() - 1):
        reader.compact_bytes()
        for _ in range(reader.uvarint() - 1):
            _index, error = reader.take(">ih")
            reader.take(">qqq")
            for _ in range(reader.uvarint() - 1):
                reader.take(">i")
                reader.compact_bytes()
                reader.skip_tags()
            reader.compact_bytes()
            reader.skip_tags()
            errors.append(error)
        reader.skip_tags()
    return errors


class Connection:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.correlation_id = 0

    def send(self, api_key: int, version: int, body: bytes) -> None:
        self.correlation_id += 1
        self.sock.sendall(request_frame(api_key, version, self.correlation_id, body))

    def receive(self) -> bytes:
        size = struct.unpack(">i", self._exact(4))[0]
        frame = self._exact(size)
        return frame[4:]  # without the correlation id; order is guaranteed per connection

    def _exact(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise RuntimeError("broker closed the connection")
            data += chunk
        return bytes(data)

    def close(self) -> None:
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# The broker under the shim, and its counters.

COUNTER_WORDS = 5  # magic, allocations, bytes, trace_budget, unslotted (alloc_counter.cc)
MAGIC = 0x45444459414C4331


class Counters:
    def __init__(self, path: Path):
        self.file = open(path, "r+b")
        self.map = mmap.mmap(self.file.fileno(), 4096)

    def word(self, index: int) -> int:
        return struct.unpack_from("=Q", self.map, index * 8)[0]

    def allocations(self) -> int:
        return self.word(1)

    def arm_trace(self, budget: int) -> None:
        struct.pack_into("=Q", self.map, 3 * 8, budget)

    def close(self) -> None:
        self.map.close()
        self.file.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    def __init__(self, eddy: Path, shim: Path, work_dir: Path, trace_file: Path | None):
        self.port = free_port()
        self.count_file = work_dir / "eddy.alloc-count"
        self.log_path = work_dir / "eddy.log"
        env = dict(os.environ, LD_PRELOAD=str(shim.resolve()), EDDY_ALLOC_COUNT_FILE=str(self.count_file))
        if trace_file is not None:
            env["EDDY_ALLOC_TRACE_FILE"] = str(trace_file)
        command = [str(eddy.resolve()), "serve"]
        for key, value in {"listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
                           "log.dirs": str(work_dir / "data"),
                           "auto.create.topics.enable": "false"}.items():
            command += ["--override", f"{key}={value}"]
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.counters = self._wait_until_ready(20.0)

    def _wait_until_ready(self, timeout_s: float) -> Counters:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eddy exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                counters = Counters(self.count_file)
                if counters.word(0) != MAGIC:
                    raise RuntimeError("the shim did not map its counters (is LD_PRELOAD right?)")
                return counters
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"eddy did not accept connections within {timeout_s}s")

    def stop(self) -> None:
        self.counters.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# Measurement.


def create_topic(connection: Connection, topic: str, configs: dict[str, str]) -> None:
    connection.send(19, 5, create_topics_body(topic, configs))
    reader = Reader(connection.receive())
    reader.skip_tags()
    reader.take(">i")  # throttle
    reader.uvarint()
    reader.compact_bytes()
    error = reader.take(">h")
    if error != 0:
        raise RuntimeError(f"CreateTopics {topic} failed with error {error}")


def produce(connection: Connection, topic: str, batch: bytes, requests: int) -> None:
    """Sends `requests` Produce requests, IN_FLIGHT at a time, and checks every answer."""
    bodies = [produce_body(topic, p, batch) for p in range(PARTITIONS)]
    sent = received = 0
    while received < requests:
        while sent < requests and sent - received < IN_FLIGHT:
            connection.send(0, 9, bodies[sent % PARTITIONS])
            sent += 1
        errors = produce_errors(connection.receive())
        received += 1
        if errors != [0]:
            raise RuntimeError(f"Produce to {topic} answered errors {errors}")


def await_leaders(connection: Connection, topic: str, batch: bytes) -> None:
    """Retries one produce per partition until the new topic's partitions accept appends."""
    deadline = time.monotonic() + 10
    for partition in range(PARTITIONS):
        while True:
            connection.send(0, 9, produce_body(topic, partition, batch))
            if produce_errors(connection.receive()) == [0]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{topic} partition {partition} never accepted a produce")
            time.sleep(0.05)


@dataclass
class Row:
    label: str
    records_per_batch: int
    requests: int
    allocations: float  # median over repetitions, idle drift removed


def idle_rate(counters: Counters, seconds: float) -> float:
    """Allocations per second while the broker serves nothing (its background threads)."""
    before = counters.allocations()
    time.sleep(seconds)
    return (counters.allocations() - before) / seconds


def measure(broker: Broker, connection: Connection, topic: str, batch: bytes, requests: int,
            repetitions: int, idle_per_s: float) -> float:
    samples = []
    for _ in range(repetitions):
        start_s, before = time.monotonic(), broker.counters.allocations()
        produce(connection, topic, batch, requests)
        counted = broker.counters.allocations() - before
        samples.append(max(0.0, counted - idle_per_s * (time.monotonic() - start_s)))
    return statistics.median(samples)


SCENARIOS = (
    # label, topic configs, codec
    ("uncompressed", {}, "none"),
    ("lz4, compression.type=producer", {}, "lz4"),
    ("uncompressed, compacted (record walk)", {"cleanup.policy": "compact"}, "none"),
    ("lz4, compacted (decompressed for the walk)", {"cleanup.policy": "compact"}, "lz4"),
)


def run(args) -> tuple[list[Row], float]:
    work_dir = Path(tempfile.mkdtemp(prefix="eddy-alloc-"))
    trace_file = work_dir / "alloc-trace.txt" if args.trace else None
    broker = Broker(args.eddy, args.shim, work_dir, trace_file)
    rows: list[Row] = []
    try:
        connection = Connection(broker.port)
        for index, (label, configs, codec) in enumerate(SCENARIOS):
            topic = f"alloc-{index}"
            create_topic(connection, topic, configs)
            for records in RECORDS_PER_BATCH:
                batch = record_batch(records, codec, args.value_bytes)
                await_leaders(connection, topic, batch)
                produce(connection, topic, batch, args.warmup)  # steady state first
        idle_per_s = idle_rate(broker.counters, args.idle_seconds)
        for index, (label, configs, codec) in enumerate(SCENARIOS):
            for records in RECORDS_PER_BATCH:
                batch = record_batch(records, codec, args.value_bytes)
                allocations = measure(broker, connection, f"alloc-{index}", batch, args.requests,
                                      args.repetitions, idle_per_s)
                rows.append(Row(label, records, args.requests, allocations))
        if args.trace:
            trace(broker, connection, record_batch(1000, "none", args.value_bytes), args)
        connection.close()
    finally:
        broker.stop()
        if args.trace:
            shutil.copy(trace_file, args.trace)
        shutil.rmtree(work_dir, ignore_errors=True)
    return rows, idle_per_s


def trace(broker: Broker, connection: Connection, batch: bytes, args) -> None:
    """Records the backtraces of `args.trace_budget` allocations made while producing."""
    broker.counters.arm_trace(args.trace_budget)
    produce(connection, "alloc-0", batch, args.requests)
    broker.counters.arm_trace(0)


def symbolize(stacks: list[list[str]], eddy: Path) -> list[list[str]]:
    """Replaces eddy's "binary(+0xoffset)" frames with function (file:line) via addr2line."""
    prefix = str(eddy.resolve()) + "(+"
    offsets = sorted({frame[len(prefix):].split(")")[0] for stack in stacks for frame in stack
                      if frame.startswith(prefix)})
    output = subprocess.run(["addr2line", "-f", "-C", "-s", "-e", str(eddy)] + offsets,
                            capture_output=True, text=True, check=False).stdout.splitlines()
    names = {offset: f"{output[2 * i][:120]} ({output[2 * i + 1]})"
             for i, offset in enumerate(offsets) if 2 * i + 1 < len(output)}
    return [[names.get(frame[len(prefix):].split(")")[0], frame.split("/")[-1])
             if frame.startswith(prefix) else frame.split("/")[-1] for frame in stack]
            for stack in stacks]


ALLOCATOR_FRAMES = ("alloc_counter", "libstdc++", "libc.so", "__new_allocator", "aligned_new")


def is_allocator_frame(frame: str) -> bool:
    return any(marker in frame for marker in ALLOCATOR_FRAMES)


def summarize_trace(path: Path, eddy: Path, top: int = 12) -> None:
    """Prints the allocation sites of a trace, most frequent first: the first eddy:: frame of
    each backtrace, with the frames above it."""
    stacks = [[line for line in text.splitlines() if "alloc_counter" not in line]
              for text in path.read_text(errors="replace").split("--\n")]
    stacks = symbolize([stack for stack in stacks if stack], eddy)
    sites: dict[str, list[list[str]]] = {}
    for stack in stacks:
        callers = [i for i, frame in enumerate(stack) if not is_allocator_frame(frame)] or [0]
        depth = next((i for i in callers if stack[i].startswith("eddy::")), callers[0])
        sites.setdefault(stack[depth], []).append(stack[:depth + 1])
    print(f"\n{len(stacks)} traced allocations at {len(sites)} sites; most frequent first:")
    for site, samples in sorted(sites.items(), key=lambda item: -len(item[1]))[:top]:
        print(f"\n{len(samples)} x {site}")
        for frame in reversed([f for f in samples[0][:-1] if not is_allocator_frame(f)][-3:]):
            print(f"      calls {frame}")


def per_extra_record(rows: list[Row], label: str) -> float:
    by_size = {row.records_per_batch: row for row in rows if row.label == label}
    low, high = by_size[RECORDS_PER_BATCH[0]], by_size[RECORDS_PER_BATCH[-1]]
    extra_records = high.requests * (high.records_per_batch - low.records_per_batch)
    return (high.allocations - low.allocations) / extra_records


def report(rows: list[Row], idle_per_s: float, args) -> float:
    print(f"Eddy allocations on the produce path: Produce v9, acks=1, one batch per request, "
          f"{args.value_bytes}-byte values, {PARTITIONS} partitions, {IN_FLIGHT} in flight, "
          f"median of {args.repetitions} runs; idle drift {idle_per_s:.1f} allocations/s "
          f"removed.\n")
    print("| batch | records per batch | requests | allocations per request "
          "| allocations per record |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        per_request = row.allocations / row.requests
        per_record = per_request / row.records_per_batch
        print(f"| {row.label} | {row.records_per_batch} | {row.requests} | {per_request:.2f} "
              f"| {per_record:.4f} |")
    print()
    worst = 0.0
    for label in dict.fromkeys(row.label for row in rows):
        extra = per_extra_record(rows, label)
        extra = 0.0 if abs(extra) < 5e-6 else extra  # no "-0.00000"
        worst = max(worst, extra)
        print(f"{label}: allocations per extra record = (allocs(K={RECORDS_PER_BATCH[-1]}) - "
              f"allocs(K={RECORDS_PER_BATCH[0]})) / (N * {RECORDS_PER_BATCH[-1] - 1}) = "
              f"{extra:.5f}")
    return worst


def default_build_file(name: str) -> Path | None:
    candidates = sorted(REPO_ROOT.glob(f"build/*/{name}"), key=lambda p: p.stat().st_mtime)
    return candidates[-1] if candidates else None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eddy", type=Path, default=default_build_file("eddy"))
    parser.add_argument("--shim", type=Path,
                        default=default_build_file("bench/alloc/libeddy_alloc_counter.so"))
    parser.add_argument("--check", action="store_true",
                        help=f"quick run that fails above {CHECK_LIMIT_PER_RECORD} allocations "
                             "per extra record (CTest)")
    parser.add_argument("--requests", type=int, help="N, Produce requests per run")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=200, help="requests per batch size first")
    parser.add_argument("--value-bytes", type=int, default=32)
    parser.add_argument("--idle-seconds", type=float, default=2.0)
    parser.add_argument("--trace", type=Path,
                        help="also write backtraces of allocations made while producing "
                             "1000-record batches to this file")
    parser.add_argument("--trace-budget", type=int, default=200)
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 300 if args.check else 2000
    if args.eddy is None or args.shim is None:
        parser.error("build the eddy and eddy_alloc_counter targets, or pass --eddy/--shim")
    return args


def main() -> int:
    args = parse_args()
    rows, idle_per_s = run(args)
    worst = report(rows, idle_per_s, args)
    if args.trace:
        summarize_trace(args.trace, args.eddy)
    if args.check and worst > CHECK_LIMIT_PER_RECORD:
        print(f"FAIL: {worst:.5f} allocations per extra record exceeds {CHECK_LIMIT_PER_RECORD}")
        return 1
    if args.check:
        print(f"OK: at most {CHECK_LIMIT_PER_RECORD} allocations per extra record")
    return 0


if __name__ == "__main__":
    sys.exit(main())
