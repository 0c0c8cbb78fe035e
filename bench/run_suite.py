#!/usr/bin/env python3
"""Runs Eddy's standard benchmark suite (issue 5) against the baseline sink and Eddy.

    bench/run_suite.py --build build/release            # full suite, writes docs/performance.md
    bench/run_suite.py --build build/bench --smoke      # seconds per workload, for CI
    bench/run_suite.py --build build/release --only 1,6  # a few workloads, sink and Eddy

Builds nothing. Starts the sink and Eddy on free 127.0.0.1 ports with temporary data dirs,
runs workloads 1-7 from bench/workloads/ through eddy_loadgen, measures start-up time and idle
memory, and prints a Markdown report (also written to docs/performance.md unless --smoke or
--no-write). Never asserts a timing: --smoke fails only when a program fails or reports a
figure that cannot be right (no records, no bytes, no latency samples, no broker memory).
Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKLOADS = REPO / "bench" / "workloads"
API_PRODUCE = 0
API_FETCH = 1
API_CREATE_TOPICS = 19
LOADGEN_SLACK_S = 180  # on top of a workload's duration before a loadgen run is killed
START_TIMEOUT_S = 120
BACKLOG_BYTES = 2 * 10**9
IDLE_CONNECTIONS = 200
IDLE_PARTITIONS = 1000
SCALE_PARTITIONS = 1000
SCALE_BYTES = 10 * 10**9


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes we start

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api_versions(port, timeout_s=2.0):
    """The {api_key: (min, max)} a broker advertises (ApiVersions v0), or None."""
    client_id = b"eddy-bench"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as conn:
            conn.sendall(struct.pack(">i", len(body)) + body)
            size = struct.unpack(">i", _read_exact(conn, 4))[0]
            if size < 10 or size > 1 << 20:
                return None
            payload = _read_exact(conn, size)
    except (OSError, ValueError, struct.error):
        return None
    _, error, count = struct.unpack_from(">ihi", payload, 0)
    if error != 0 or count < 0 or 10 + 6 * count > len(payload):
        return None
    apis = {}
    for i in range(count):
        key, low, high = struct.unpack_from(">hhh", payload, 10 + 6 * i)
        apis[key] = (low, high)
    return apis


def auto_creates_topics(port, topic="bench-auto-create-probe"):
    """True when a Metadata v1 request for a missing topic creates it (v1 always allows it)."""
    name = topic.encode()
    client_id = b"eddy-bench"
    body = (struct.pack(">hhih", 3, 1, 2, len(client_id)) + client_id +
            struct.pack(">ih", 1, len(name)) + name)
    for _ in range(2):  # the first answer may still say LEADER_NOT_AVAILABLE
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(struct.pack(">i", len(body)) + body)
                size = struct.unpack(">i", _read_exact(conn, 4))[0]
                payload = _read_exact(conn, min(size, 1 << 20))
            position = 4  # correlation id
            (brokers,) = struct.unpack_from(">i", payload, position)
            position += 4
            for _ in range(brokers):
                position += 4  # node id
                (host_length,) = struct.unpack_from(">h", payload, position)
                position += 2 + host_length + 4  # host, port
                (rack_length,) = struct.unpack_from(">h", payload, position)
                position += 2 + max(rack_length, 0)
            position += 4 + 4  # controller id, topic count
            (error,) = struct.unpack_from(">h", payload, position)
        except (OSError, ValueError, struct.error):
            return False
        if error == 0:
            return True
        time.sleep(0.5)
    return False


def _read_exact(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    return data


STARTED = []  # every Server started, so that none outlives the suite


class Server:
    """A process we started (sink or Eddy), stopped by its PID only."""

    def __init__(self, name, command, port, log_path):
        self.name = name
        self.command = command
        self.port = port
        self.log_path = log_path
        self.process = None
        self.startup_s = None

    def start(self):
        started = time.monotonic()
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(self.command, stdout=log_file,
                                            stderr=subprocess.STDOUT)
        STARTED.append(self)
        deadline = started + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; "
                                   f"log: {self.log_path}\n{self.log_tail()}")
            if api_versions(self.port, timeout_s=1.0) is not None:
                self.startup_s = time.monotonic() - started
                return self
            time.sleep(0.01)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"{self.name} did not answer ApiVersions in {START_TIMEOUT_S}s")

    @property
    def pid(self):
        return self.process.pid

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout_s=60):
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log_tail(self, lines=20):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def settle_disk():
    """Commits pending file-system work (deleted files' blocks, discards) before a measurement,
    so one run's clean-up does not stall the next run's writes."""
    os.sync()


def start_sink(build, work_dir, partitions, topic):
    """A sink writing to a file of its own: the sink keeps every workload's data until its
    suite ends, as Eddy keeps its logs, so both see the same growing page cache."""
    port = free_port()
    command = [str(build / "bench" / "eddy_sink"), "--port", str(port), "--partitions",
               str(partitions), "--topic", topic, "--data-file",
               str(work_dir / f"sink-{topic}.data")]
    return Server("sink", command, port, work_dir / "sink.log").start()


def eddy_command(build, data_dir, port, overrides):
    command = [str(build / "eddy"), "serve", "--override",
               f"listeners=PLAINTEXT://127.0.0.1:{port}", "--override", f"log.dirs={data_dir}"]
    for key, value in overrides.items():
        command += ["--override", f"{key}={value}"]
    return command


def start_eddy(build, work_dir, port=None, overrides=None, data_name="eddy-data"):
    port = port or free_port()
    data_dir = work_dir / data_name
    data_dir.mkdir(exist_ok=True)
    server = Server("eddy", eddy_command(build, data_dir, port, overrides or {}), port,
                    work_dir / f"{data_name}.log")
    server.data_name = data_name
    server.overrides = dict(overrides or {})
    return server.start()


def rss_bytes(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- the load generator

def run_loadgen(build, server, workload_file, settings, create_only=False):
    """Runs eddy_loadgen once; returns its JSON result (with "ok" False on any failure)."""
    command = [str(build / "bench" / "eddy_loadgen"), "--bootstrap", server.bootstrap,
               "--workload", str(WORKLOADS / workload_file), "--broker-pid", str(server.pid),
               "--json"]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    if create_only:
        command.append("--create-only")
    duration = float(settings.get("duration_s", 120))
    if not create_only:
        settle_disk()  # each run starts with no earlier run's writeback pending
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=duration + LOADGEN_SLACK_S)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "loadgen timed out"}
    log(done.stderr.rstrip())
    if create_only:
        return {"ok": done.returncode == 0, "error": done.stderr.strip()}
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": f"no JSON from loadgen (exit {done.returncode})"}
    if done.returncode != 0:
        result["ok"] = False
        result["error"] = result.get("error") or f"loadgen exit {done.returncode}"
    return result


def suite_settings(smoke):
    """Per-workload overrides: smoke mode shrinks everything to about a second."""
    if not smoke:
        return {"duration_s": 20}, BACKLOG_BYTES, IDLE_PARTITIONS
    return {"duration_s": 1.5}, 20 * 10**6, 100


# Workload numbers to run (--only); None runs them all.
ONLY = None


def run_workloads(build, target, server_factory, smoke, creates, w1_rate=None):
    """Runs workloads 1-7 against one target. server_factory(partitions, topic) gives a Server
    (the sink: a fresh one per workload; Eddy: the same one unless it must be restarted)."""
    base, backlog_bytes, many_partitions = suite_settings(smoke)
    results = {}

    def produce(number, workload_file, topic, partitions, extra=None):
        if ONLY is not None and number not in ONLY:
            return {}
        server = server_factory(partitions, topic)
        settings = {**base, "topic": topic, "partitions": partitions,
                    "create_topic": str(creates).lower(), **(extra or {})}
        result = run_loadgen(build, server, workload_file, settings)
        result["settings"] = settings
        results[number] = result
        return result

    one = produce(1, "1-produce-1kb.workload", "bench-1kb", 6)
    produce(2, "2-produce-1kb-acks-all.workload", "bench-1kb-acks-all", 6)
    produce(3, "3-produce-100b.workload", "bench-100b", 6)
    rate = w1_rate or max(1000, int(one.get("records_per_s", 0) * 0.5))
    produce(4, "4-fixed-rate-latency.workload", "bench-latency", 6,
            {"target_rate": rate, "end_to_end": str(target == "eddy").lower()})
    if target == "eddy" and (ONLY is None or 5 in ONLY):
        fill_count = backlog_bytes // 1024
        fill = produce(5, "1-produce-1kb.workload", "bench-backlog", 6,
                       {"record_count": fill_count, "duration_s": 600 if not smoke else 30})
        if fill.get("ok"):
            server = server_factory(6, "bench-backlog")
            result = run_loadgen(build, server, "5-consume-backlog.workload",
                                 {"duration_s": 120 if not smoke else 30})
            result["fill"] = {k: fill.get(k) for k in ("records", "payload_bytes", "mb_per_s")}
            results[5] = result
    produce(6, "6-produce-1kb-lz4.workload", "bench-lz4", 6)
    produce(7, "7-produce-100b-1000-partitions.workload", "bench-1000p", many_partitions)
    return results


# ---------------------------------------------------------------- scale measurements

def idle_connection_bytes(server, count):
    """RSS growth per open connection that has sent one ApiVersions request."""
    before = rss_bytes(server.pid)
    sockets = []
    try:
        for _ in range(count):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            body = struct.pack(">hhih", 18, 0, 1, 4) + b"idle"
            conn.sendall(struct.pack(">i", len(body)) + body)
            size = struct.unpack(">i", _read_exact(conn, 4))[0]
            _read_exact(conn, size)
            sockets.append(conn)
        time.sleep(0.5)  # let the broker settle; a figure, not an assertion
        after = rss_bytes(server.pid)
    finally:
        for conn in sockets:
            conn.close()
    if before is None or after is None:
        return None
    return (after - before) / count


def idle_partition_bytes(build, server, count):
    before = rss_bytes(server.pid)
    result = run_loadgen(build, server, "1-produce-1kb.workload",
                         {"topic": "idle-partitions", "partitions": count}, create_only=True)
    time.sleep(0.5)
    after = rss_bytes(server.pid)
    if not result["ok"] or before is None or after is None:
        return None
    return (after - before) / count


def restart_times(build, eddy, work_dir):
    """Start-up time after a clean (SIGTERM) and an unclean (SIGKILL) stop, same data."""
    # Allocated blocks, as du counts them: preallocated sparse index files would inflate st_size.
    data_bytes = sum(f.stat().st_blocks * 512 for f in (work_dir / "eddy-data").rglob("*")
                     if f.is_file())
    times = {"data_bytes": data_bytes}
    for label, sig in (("clean", signal.SIGTERM), ("unclean", signal.SIGKILL)):
        eddy.stop(sig)
        eddy = start_eddy(build, work_dir, eddy.port, eddy.overrides)
        times[label] = eddy.startup_s
    return eddy, times


def scanned_bytes_since(log_path, offset):
    """Sum of the bytes start-up recovery read and CRC-checked, from the broker's log lines
    ("storage: loaded ... scanned N bytes") written after `offset`."""
    total = 0
    with open(log_path, "rb") as log_file:
        log_file.seek(offset)
        for line in log_file.read().decode(errors="replace").splitlines():
            marker = line.rfind("scanned ")
            if "storage: loaded" in line and marker >= 0:
                total += int(line[marker:].split()[1])
    return total


def timed_restart(build, work_dir, eddy, sig):
    """Stops Eddy with `sig`, starts it on the same data; returns (eddy, seconds, scanned)."""
    eddy.stop(sig)
    log_path = work_dir / f"{eddy.data_name}.log"
    offset = log_path.stat().st_size
    eddy = start_eddy(build, work_dir, eddy.port, eddy.overrides, eddy.data_name)
    return eddy, eddy.startup_s, scanned_bytes_since(log_path, offset)


def checkpointed_records(data_dir, topic):
    """Sum of `topic`'s recovery points in the recovery-point-offset-checkpoint file (Kafka's
    text format: version, count, then "topic partition offset" lines)."""
    try:
        lines = (data_dir / "recovery-point-offset-checkpoint").read_text().splitlines()[2:]
    except OSError:
        return 0
    return sum(int(parts[2]) for parts in (line.split() for line in lines)
               if len(parts) == 3 and parts[0] == topic)


def wait_for_recovery_points(data_dir, topic, records, timeout_s):
    """Seconds until the checkpointed recovery points cover all `records`, or None."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if checkpointed_records(data_dir, topic) >= records:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def startup_at_scale(build, work_dir, smoke):
    """Start-up with SCALE_PARTITIONS partitions holding SCALE_BYTES of 1 KB records: after
    kill -9 right after the writes (with Eddy's background sync, then without it, as Kafka),
    and after a clean stop. Each variant writes into a fresh data dir."""
    partitions = 100 if smoke else SCALE_PARTITIONS
    data_bytes = 20 * 10**6 if smoke else SCALE_BYTES
    figures = {}
    # Killed right after the writes, everything written in the last sync interval is rescanned
    # either way; killed once the background sync has caught up, nothing is (Kafka, which only
    # fsyncs at segment roll by default, would still rescan it all: the second variant).
    variants = (("killed right after the writes", {}, True, False),
                ("killed once the background sync caught up", {}, False, True),
                ("eddy.log.sync.interval.ms=0 (as Kafka)", {"eddy.log.sync.interval.ms": 0},
                 False, False))
    for index, (label, overrides, measure_clean, wait_for_sync) in enumerate(variants):
        name = f"scale-data-{index}"
        eddy = start_eddy(build, work_dir, overrides=overrides, data_name=name)
        try:
            fill = run_loadgen(build, eddy, "1-produce-1kb.workload", {
                "topic": "scale", "partitions": partitions, "create_topic": "true",
                "record_count": data_bytes // 1024, "duration_s": 900, "linger_ms": 50})
            if not fill.get("ok"):
                figures[f"start-up at scale ({label})"] = f"fill failed: {fill.get('error')}"
                continue
            size = f"{partitions} partitions, {fill['payload_bytes'] / 1e9:.1f} GB"
            if wait_for_sync:
                waited = wait_for_recovery_points(work_dir / name, "scale", fill["records"], 60)
                label += f" ({waited:.1f} s after the writes)" if waited is not None else \
                    " (did not catch up within 60 s)"
            eddy, seconds, scanned = timed_restart(build, work_dir, eddy, signal.SIGKILL)
            figures[f"start-up after kill -9, {size}, {label} (s; GB rescanned)"] = \
                f"{seconds:.2f}; {scanned / 1e9:.2f}"
            if measure_clean:
                eddy, seconds, scanned = timed_restart(build, work_dir, eddy, signal.SIGTERM)
                figures[f"start-up after clean stop, {size} (s; GB rescanned)"] = \
                    f"{seconds:.2f}; {scanned / 1e9:.2f}"
        finally:
            eddy.stop()
            shutil.rmtree(work_dir / name, ignore_errors=True)
            settle_disk()
    return figures


LATENCY_ROUNDS = 3


def latency_rounds(build, work_dir, rate, smoke):
    """Workload 4 at one rate, alternating sink and Eddy, each on fresh data: the latency
    baseline in the same minutes. The target's own workload 4 runs at 50% of its own workload 1,
    so the two halves' rows above are at different rates and minutes apart."""
    base, _, _ = suite_settings(smoke)
    settings = {**base, "topic": "bench-latency", "partitions": 6, "target_rate": rate,
                "end_to_end": "false"}
    rounds = []
    for index in range(1 if smoke else LATENCY_ROUNDS):
        pair = {}
        for target in ("sink", "eddy"):
            if target == "sink":
                server = start_sink(build, work_dir, 6, "bench-latency")
                run = {**settings, "create_topic": "false"}
            else:
                server = start_eddy(build, work_dir, data_name=f"latency-{index}")
                run = {**settings, "create_topic": "true"}
            try:
                pair[target] = run_loadgen(build, server, "4-fixed-rate-latency.workload", run)
            finally:
                server.stop()
                shutil.rmtree(work_dir / f"latency-{index}", ignore_errors=True)
                for data_file in work_dir.glob("sink-*.data"):
                    data_file.unlink()
                settle_disk()
        rounds.append(pair)
    return {"rate": rate, "rounds": rounds}


class EddyForWorkloads:
    """Gives the suite its Eddy. Without CreateTopics, topics are auto-created with
    num.partitions, so Eddy restarts (same data) when a workload needs another count."""

    def __init__(self, build, work_dir, eddy, creates):
        self.build, self.work_dir, self.eddy, self.creates = build, work_dir, eddy, creates

    def __call__(self, partitions, topic):
        current = int(self.eddy.overrides.get("num.partitions", 0))
        if not self.creates and current != partitions:
            self.eddy.stop()
            self.eddy = start_eddy(self.build, self.work_dir, self.eddy.port,
                                   {**self.eddy.overrides, "num.partitions": partitions})
        return self.eddy


# ---------------------------------------------------------------- checks and report

def sane(number, result, produce_mode=True):
    """Smoke checks: programs ran and figures are possible. Never a timing threshold."""
    problems = []
    if not result.get("ok"):
        problems.append(f"failed: {result.get('error')}")
    if not result.get("records") or not result.get("payload_bytes"):
        problems.append("no records")
    if not result.get("mb_per_s"):
        problems.append("zero throughput")
    if produce_mode and not result.get("produce_latency", {}).get("count"):
        problems.append("no produce latency samples")
    if result.get("broker_cpu_s") is None or result["broker_cpu_s"] < 0:
        problems.append("no broker CPU figure")
    if not result.get("broker_peak_rss_bytes"):
        problems.append("no broker peak RSS")
    return [f"workload {number}: {p}" for p in problems]


def ms(microseconds):
    return f"{microseconds / 1000:.1f}" if microseconds is not None else "–"


def row(number, target, result):
    if result is None:
        return f"| {number} | {target} | not run | | | | | | | | |"
    if not result.get("ok"):
        return f"| {number} | {target} | failed: {result.get('error', '?')[:60]} | | | | | | | | |"
    lat = result.get("produce_latency", {})
    e2e = result.get("end_to_end_latency", {})
    e2e_text = f"{ms(e2e.get('p99_us'))}" if e2e.get("count") else "–"
    lat_cells = (f"{ms(lat['p50_us'])} | {ms(lat['p99_us'])} | {ms(lat['p999_us'])} | "
                 f"{ms(lat['max_us'])}") if lat.get("count") else "– | – | – | –"
    cpu_gb = result.get("broker_cpu_s_per_gb")
    rss = result.get("broker_peak_rss_bytes")
    cpu_text = f"{cpu_gb:.2f}" if cpu_gb is not None else "–"
    rss_text = f"{rss / 1e6:.0f}" if rss else "–"
    return (f"| {number} | {target} | {result['mb_per_s']:.1f} | {result['records_per_s']:,.0f} "
            f"| {lat_cells} | {e2e_text} | {cpu_text} | {rss_text} |")


def ratio(eddy, sink, key):
    if not eddy or not sink or not eddy.get("ok") or not sink.get("ok"):
        return None
    if not eddy.get(key) or not sink.get(key):
        return None
    return eddy[key] / sink[key]


def render(meta, sink_results, eddy_results, eddy_note, scale, latency):
    lines = ["## Latest results", "",
             f"- Date: {meta['date']}", f"- Machine: {meta['machine']}",
             f"- Mode: {meta['mode']}; build: `{meta['build']}` ({meta['build_type']})",
             f"- Settings: {meta['settings']}", ""]
    if eddy_note:
        lines += [f"**Eddy:** {eddy_note}", ""]
    lines += ["| # | Target | MB/s | records/s | p50 ms | p99 ms | p99.9 ms | max ms | e2e p99 ms "
              "| broker CPU s/GB | peak RSS MB |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for number in range(1, 8):
        if number in sink_results:
            lines.append(row(number, "sink", sink_results[number]))
        elif number == 5:
            lines.append("| 5 | sink | n/a (the sink serves no Fetch) | | | | | | | | |")
        if eddy_results is not None and (ONLY is None or number in ONLY):
            lines.append(row(number, "eddy", eddy_results.get(number)))
    lines += ["", "Eddy / sink (same run, same workload): throughput ratio (higher is better) and "
              "broker CPU per GB ratio (lower is better; target for workload 1: at most 1.5).", "",
              "| # | throughput Eddy/sink | CPU per GB Eddy/sink |", "| --- | ---: | ---: |"]
    for number in (1, 2, 3, 4, 6, 7):
        if ONLY is not None and number not in ONLY:
            continue
        eddy = (eddy_results or {}).get(number)
        sink = sink_results.get(number)
        through = ratio(eddy, sink, "mb_per_s")
        cpu = ratio(eddy, sink, "broker_cpu_s_per_gb")
        lines.append(f"| {number} | {f'{through:.2f}' if through else '–'} | "
                     f"{f'{cpu:.2f}' if cpu else '–'} |")
    if eddy_results and 5 in eddy_results and eddy_results[5].get("ok") and 1 in eddy_results:
        consume = eddy_results[5].get("broker_cpu_s_per_gb")
        produce = eddy_results[1].get("broker_cpu_s_per_gb")
        if consume is not None and produce:
            lines += ["", f"Workload 5: broker CPU per GB served / per GB ingested (workload 1) = "
                          f"{consume / produce:.2f} (target: at most 0.25)."]
    if latency:
        lines += render_latency_rounds(latency)
    if scale:
        lines += ["", "| Scale measurement | Eddy |", "| --- | ---: |"]
        for label, value in scale.items():
            lines.append(f"| {label} | {value} |")
    return "\n".join(lines) + "\n"


def render_latency_rounds(latency):
    lines = ["", f"Workload 4, sink and Eddy alternating at Eddy's workload 4 rate "
                 f"({latency['rate']:,} records/s, no end-to-end reader), each on fresh data "
                 f"(target: p99 at most 5 ms, p99.9 at most 20 ms):", "",
             "| round | target | records/s | p50 ms | p99 ms | p99.9 ms | max ms |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for index, pair in enumerate(latency["rounds"], 1):
        for target, result in pair.items():
            lat = result.get("produce_latency", {})
            if not result.get("ok") or not lat.get("count"):
                lines.append(f"| {index} | {target} | failed: {result.get('error', '?')[:60]} "
                             f"| | | | |")
                continue
            lines.append(f"| {index} | {target} | {result['records_per_s']:,.0f} | "
                         f"{ms(lat['p50_us'])} | {ms(lat['p99_us'])} | {ms(lat['p999_us'])} | "
                         f"{ms(lat['max_us'])} |")
    return lines


def machine_description():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{model}, {os.cpu_count()} cores (shared by broker and load generator), "
            f"{memory_gb:.0f} GiB RAM, {platform.system()} {platform.release()}")


def build_type(build):
    try:
        for line in (build / "CMakeCache.txt").read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                return line.split("=", 1)[1] or "unset"
    except OSError:
        pass
    return "unknown"


def write_doc(report):
    """Replaces everything from '## Latest results' to the next '## ' heading."""
    doc = REPO / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else "# Performance\n\n"
    start = text.find("## Latest results")
    if start < 0:
        text = text.rstrip() + "\n\n" + report
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + report + (text[end + 1:] if end >= 0 else "")
    doc.write_text(text)
    log(f"wrote {doc}")


# ---------------------------------------------------------------- main

def run_sink_suite(build, work_dir, smoke):
    current = {}

    def sink_for(partitions, topic):
        old = current.get("server")
        if old is not None:
            old.stop()
        current["server"] = start_sink(build, work_dir, partitions, topic)
        return current["server"]

    try:
        return run_workloads(build, "sink", sink_for, smoke, creates=False)
    finally:
        if current.get("server"):
            current["server"].stop()
        for data_file in work_dir.glob("sink-*.data"):
            data_file.unlink()
        settle_disk()


def run_eddy_suite(build, work_dir, smoke):
    """Returns (results or None, note, scale figures)."""
    eddy = start_eddy(build, work_dir)
    scale = {"start-up, empty data dir (s)": f"{eddy.startup_s:.2f}"}
    try:
        apis = api_versions(eddy.port) or {}
        if API_PRODUCE not in apis:
            return None, "SKIP: this Eddy build does not advertise Produce yet; no figures.", scale
        factory = EddyForWorkloads(build, work_dir, eddy, API_CREATE_TOPICS in apis)
        if ONLY is not None:
            try:
                return run_workloads(build, "eddy", factory, smoke, factory.creates), "", scale
            finally:
                eddy = factory.eddy
        per_connection = idle_connection_bytes(eddy, 20 if smoke else IDLE_CONNECTIONS)
        if per_connection is not None:
            scale["memory per idle connection (KB)"] = f"{per_connection / 1024:.1f}"
        _, _, partitions = suite_settings(smoke)
        creates = API_CREATE_TOPICS in apis
        if not creates and not auto_creates_topics(eddy.port):
            return None, ("SKIP: this Eddy build neither advertises CreateTopics nor auto-creates "
                          "topics, so no workload can run; no figures."), scale
        notes = []
        if creates:
            per_partition = idle_partition_bytes(build, eddy, partitions)
            scale[f"memory per idle partition, {partitions} created (KB)"] = (
                f"{per_partition / 1024:.1f}" if per_partition is not None else "failed")
        else:
            notes.append("CreateTopics is not advertised: topics are auto-created with "
                         "num.partitions (Eddy restarted between counts); no idle-partition "
                         "figure.")
        if API_FETCH not in apis:
            notes.append("Fetch is not advertised: workload 5 and end-to-end latency fail.")
        factory = EddyForWorkloads(build, work_dir, eddy, creates)
        try:
            results = run_workloads(build, "eddy", factory, smoke, creates)
        finally:
            eddy = factory.eddy
        eddy, times = restart_times(build, eddy, work_dir)
        scale[f"start-up after clean stop, {times['data_bytes'] / 1e9:.2f} GB data (s)"] = \
            f"{times['clean']:.2f}"
        scale[f"start-up after kill -9, {times['data_bytes'] / 1e9:.2f} GB data (s)"] = \
            f"{times['unclean']:.2f}"
        eddy.stop()
        shutil.rmtree(work_dir / "eddy-data", ignore_errors=True)
        settle_disk()
        scale.update(startup_at_scale(build, work_dir, smoke))
        return results, " ".join(notes), scale
    finally:
        eddy.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, type=Path, help="CMake build directory")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, sanity checks only")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--skip-eddy", action="store_true", help="measure the sink only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--only", help="comma-separated workload numbers (implies --no-write)")
    args = parser.parse_args()
    if args.only:
        global ONLY
        ONLY = {int(number) for number in args.only.split(",")}
        args.no_write = True
    build = args.build.resolve()
    for binary in (build / "bench" / "eddy_loadgen", build / "bench" / "eddy_sink"):
        if not binary.exists():
            parser.error(f"{binary} missing: build the bench targets first")
    run_eddy = not args.skip_eddy and (build / "eddy").exists()

    work_dir = Path(tempfile.mkdtemp(prefix="eddy-bench-"))
    problems = []
    try:
        sink_results = run_sink_suite(build, work_dir, args.smoke)
        eddy_results, note, scale = None, "not run (--skip-eddy or no eddy binary)", {}
        latency = None
        if run_eddy:
            eddy_results, note, scale = run_eddy_suite(build, work_dir, args.smoke)
            if ONLY is None and eddy_results and eddy_results.get(4, {}).get("ok"):
                rate = eddy_results[4]["settings"]["target_rate"]
                latency = latency_rounds(build, work_dir, rate, args.smoke)
    finally:
        for server in STARTED:
            if server.alive():
                server.stop()
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)

    base, backlog, partitions = suite_settings(args.smoke)
    meta = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine_description(),
        "mode": "smoke (figures meaningless)" if args.smoke else "full",
        "build": str(build.relative_to(REPO) if build.is_relative_to(REPO) else build),
        "build_type": build_type(build),
        "settings": (f"{base['duration_s']} s per produce workload, linger.ms=5 (1 for "
                     f"workload 4), "
                     f"batch.size=1000000, backlog {backlog / 1e9:.2f} GB, workload 7 with "
                     f"{partitions} partitions; workload 4 at 50% of each target's workload 1 "
                     f"records/s; MB = 10^6 bytes of record payload (key + value)"),
    }
    report = render(meta, sink_results, eddy_results, note, scale, latency)
    print(report)
    if eddy_results is None:
        print(f"SKIP eddy half: {note.removeprefix('SKIP: ')}")
    if not args.smoke and not args.no_write:
        write_doc(report)

    if args.smoke:
        for number, result in sink_results.items():
            problems += sane(f"{number} (sink)", result)
        for number, result in (eddy_results or {}).items():
            problems += sane(f"{number} (eddy)", result, produce_mode=number != 5)
        for index, pair in enumerate((latency or {}).get("rounds", []), 1):
            for target, result in pair.items():
                problems += sane(f"4, latency round {index} ({target})", result)
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
