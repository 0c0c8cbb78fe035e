#!/usr/bin/python3
"""Counts the heap allocations the real `eddy` broker makes per produced record.

Starts the broker under the alloc counter shim (LD_PRELOAD, see alloc_counter.cc), sends Produce
v9 requests over one TCP connection, each holding one v2 batch of K records, and reads the
shim's live counter around each run. Standard library only (plus python3-lz4 for the compressed
rows). See bench/alloc/README.md for the method; --check is the CTest mode.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from alloc_trace import summarize_trace
from shim_broker import Broker, Counters
from wire import (Connection, Cursor, batch_record_count, create_topics_body, produce_body,
                  produce_results, record_batch)

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDS_PER_BATCH = (1, 10, 100, 1000)
CHECK_LIMIT_PER_RECORD = 0.01
PARTITIONS = 6
IN_FLIGHT = 32  # pipelined requests on the connection; well under the broker's bound
SETTLE_S = 1.0  # quiet time after the warm-up before the idle rate is measured


def create_topic(connection: Connection, topic: str, configs: dict[str, str]) -> None:
    connection.send(19, 5, create_topics_body(topic, PARTITIONS, configs))
    reader = Cursor(connection.receive())
    reader.skip_tags()
    reader.take("i")  # throttle
    reader.uvarint()
    reader.compact_bytes()
    error = reader.take("h")
    if error != 0:
        raise RuntimeError(f"CreateTopics {topic} failed with error {error}")


def produce(connection: Connection, topic: str, batch: bytes, requests: int) -> None:
    """Sends `requests` Produce requests, IN_FLIGHT at a time, round-robin over the partitions,
    and checks every answer: no error, and each partition's offsets advance by the batch's
    record count (so every record really was appended)."""
    bodies = [produce_body(topic, p, batch) for p in range(PARTITIONS)]
    records = batch_record_count(batch)
    last_offsets: dict[int, int] = {}
    sent = received = 0
    while received < requests:
        while sent < requests and sent - received < IN_FLIGHT:
            connection.send(0, 9, bodies[sent % PARTITIONS])
            sent += 1
        [(partition, error, base_offset)] = produce_results(connection.receive())
        expected = last_offsets.get(partition, base_offset - records) + records
        if partition != received % PARTITIONS or error != 0 or base_offset != expected:
            raise RuntimeError(f"Produce to {topic} answered partition {partition}, error "
                               f"{error}, base offset {base_offset} (expected {expected})")
        last_offsets[partition] = base_offset
        received += 1


def await_leaders(connection: Connection, topic: str, batch: bytes) -> None:
    """Retries one produce per partition until the new topic's partitions accept appends."""
    deadline = time.monotonic() + 10
    for partition in range(PARTITIONS):
        while True:
            connection.send(0, 9, produce_body(topic, partition, batch))
            if produce_results(connection.receive())[0][1] == 0:
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
    """Allocations per second while the broker serves nothing (its background threads), after
    the burst that follows the warm-up (flushes, checkpoints) has passed."""
    time.sleep(SETTLE_S)
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


def warm_up(connection: Connection, args) -> None:
    """Creates one topic per scenario and produces every batch size once, so the runs measure
    the steady state (segments open, buffers grown, per-connection state made)."""
    for index, (_, configs, codec) in enumerate(SCENARIOS):
        topic = f"alloc-{index}"
        create_topic(connection, topic, configs)
        for records in RECORDS_PER_BATCH:
            batch = record_batch(records, codec, args.value_bytes)
            await_leaders(connection, topic, batch)
            produce(connection, topic, batch, args.warmup)


def measure_all(broker: Broker, connection: Connection, idle_per_s: float, args) -> list[Row]:
    rows = []
    for index, (label, _, codec) in enumerate(SCENARIOS):
        for records in RECORDS_PER_BATCH:
            batch = record_batch(records, codec, args.value_bytes)
            allocations = measure(broker, connection, f"alloc-{index}", batch, args.requests,
                                  args.repetitions, idle_per_s)
            rows.append(Row(label, records, args.requests, allocations))
    return rows


def trace(broker: Broker, connection: Connection, args) -> None:
    """Records the backtraces of `args.trace_budget` allocations made while producing batches
    of the largest size to the scenario `args.trace_scenario`."""
    codec = SCENARIOS[args.trace_scenario][2]
    batch = record_batch(RECORDS_PER_BATCH[-1], codec, args.value_bytes)
    broker.counters.arm_trace(args.trace_budget)
    produce(connection, f"alloc-{args.trace_scenario}", batch, args.requests)
    broker.counters.arm_trace(0)


def thread_shares(broker: Broker, before: dict[int, int]) -> dict[str, int]:
    """Allocations per thread name since `before`."""
    shares: dict[str, int] = {}
    for tid, count in broker.counters.by_thread().items():
        name = broker.thread_name(tid)
        shares[name] = shares.get(name, 0) + count - before.get(tid, 0)
    return shares


def run(args) -> tuple[list[Row], float, dict[str, int]]:
    """Runs every scenario against one broker; returns the rows, the idle allocation rate and
    the allocations of each broker thread (by name) during the measured runs.
    The broker's data directory and log are kept (and named) if anything fails."""
    work_dir = Path(tempfile.mkdtemp(prefix="eddy-alloc-"))
    trace_file = work_dir / "alloc-trace.txt" if args.trace else None
    broker = Broker(args.eddy, args.shim, work_dir, trace_file)
    try:
        connection = Connection(broker.port)
        warm_up(connection, args)
        idle_per_s = idle_rate(broker.counters, args.idle_seconds)
        threads_before = broker.counters.by_thread()
        rows = measure_all(broker, connection, idle_per_s, args)
        threads = thread_shares(broker, threads_before)
        if args.trace:
            trace(broker, connection, args)
        connection.close()
    except Exception:
        broker.stop()
        print(f"failed; broker log and data kept in {work_dir}", file=sys.stderr)
        raise
    broker.stop()
    if args.trace:
        shutil.copy(trace_file, args.trace)
    shutil.rmtree(work_dir, ignore_errors=True)
    return rows, idle_per_s, threads


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
    parser.add_argument("--trace-scenario", type=int, default=0, choices=range(len(SCENARIOS)),
                        help="which scenario --trace produces to (index in the table order)")
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 300 if args.check else 2000
    if args.eddy is None or args.shim is None:
        parser.error("build the eddy and eddy_alloc_counter targets, or pass --eddy/--shim")
    return args


def main() -> int:
    args = parse_args()
    rows, idle_per_s, threads = run(args)
    worst = report(rows, idle_per_s, args)
    print("\nAllocations by broker thread during the measured runs: " +
          ", ".join(f"{name} {count}" for name, count in
                    sorted(threads.items(), key=lambda item: -item[1]) if count > 0))
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
