"""The real `eddy` binary started under the alloc counter shim, and the shim's live counters."""

import mmap
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

# Word positions in the shim's SharedCounters page (alloc_counter.cc): five totals, then
# (tid, allocations) pairs, one per thread.
MAGIC_WORD, ALLOCATIONS_WORD, TRACE_BUDGET_WORD, FIRST_THREAD_WORD, MAX_THREADS = 0, 1, 3, 5, 120
MAGIC = 0x45444459414C4331


class Counters:
    def __init__(self, path: Path):
        self.file = open(path, "r+b")
        self.map = mmap.mmap(self.file.fileno(), 4096)

    def word(self, index: int) -> int:
        return struct.unpack_from("=Q", self.map, index * 8)[0]

    def allocations(self) -> int:
        return self.word(ALLOCATIONS_WORD)

    def by_thread(self) -> dict[int, int]:
        """Allocations so far of each thread id."""
        counts = {}
        for slot in range(MAX_THREADS):
            tid = self.word(FIRST_THREAD_WORD + 2 * slot)
            if tid != 0:
                counts[tid] = self.word(FIRST_THREAD_WORD + 2 * slot + 1)
        return counts

    def arm_trace(self, budget: int) -> None:
        struct.pack_into("=Q", self.map, TRACE_BUDGET_WORD * 8, budget)

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
        env = dict(os.environ, LD_PRELOAD=str(shim.resolve()),
                   EDDY_ALLOC_COUNT_FILE=str(self.count_file))
        if trace_file is not None:
            env["EDDY_ALLOC_TRACE_FILE"] = str(trace_file)
        command = [str(eddy.resolve()), "serve"]
        for key, value in {"listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
                           "log.dirs": str(work_dir / "data"),
                           "auto.create.topics.enable": "false"}.items():
            command += ["--override", f"{key}={value}"]
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.counters = self._wait_until_ready(20.0)
        except Exception:
            self.process.kill()
            self.process.wait()
            raise

    def _wait_until_ready(self, timeout_s: float) -> Counters:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eddy exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                counters = Counters(self.count_file)
                if counters.word(MAGIC_WORD) != MAGIC:
                    raise RuntimeError("the shim did not map its counters (is LD_PRELOAD right?)")
                return counters
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"eddy did not accept connections within {timeout_s}s")

    def thread_name(self, tid: int) -> str:
        try:
            return Path(f"/proc/{self.process.pid}/task/{tid}/comm").read_text().strip()
        except OSError:
            return "(exited)"

    def stop(self) -> None:
        self.counters.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
