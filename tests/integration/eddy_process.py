"""Starting and stopping a real `eddy` binary for integration tests."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from capture_proxy import CaptureProxy, capture_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


def eddy_binary() -> Path:
    """The binary under test: $EDDY_BINARY, else the newest build/<preset>/eddy."""
    if os.environ.get("EDDY_BINARY"):
        return Path(os.environ["EDDY_BINARY"])
    candidates = sorted((REPO_ROOT / "build").glob("*/eddy"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise RuntimeError("no eddy binary: build first or set EDDY_BINARY")
    return candidates[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EddyProcess:
    """One broker on 127.0.0.1 with its own data directory and log file."""

    def __init__(self, data_dir: Path, overrides: dict | None = None, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.overrides = dict(overrides or {})
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-eddy.log"
        self.process: subprocess.Popen | None = None
        self.proxy: CaptureProxy | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 20.0) -> "EddyProcess":
        # With $EDDY_CAPTURE_DIR, clients reach the broker through a recording proxy on
        # self.port (also the advertised port); the broker listens on a port of its own.
        broker_port = self.port
        if capture_dir() is not None:
            broker_port = free_port()
            self.proxy = CaptureProxy(self.port, broker_port, capture_dir())
        settings = {
            "listeners": f"PLAINTEXT://127.0.0.1:{broker_port}",
            "log.dirs": str(self.data_dir),
            **self.overrides,
        }
        if self.proxy is not None:
            settings["advertised.listeners"] = f"PLAINTEXT://127.0.0.1:{self.port}"
        command = [str(eddy_binary()), "serve"]
        for key, value in settings.items():
            command += ["--override", f"{key}={value}"]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_accepting(broker_port, timeout_s)
        except RuntimeError:
            if self.proxy is not None:
                self.proxy.close()
                self.proxy = None
            raise
        return self

    def _wait_until_accepting(self, port: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eddy exited with {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"eddy did not accept connections in {timeout_s}s:\n{self.log()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 20.0) -> int:
        """Sends `sig` to the broker we started and returns its exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
            raise RuntimeError(f"eddy did not stop within {timeout_s}s after signal {sig}")
        finally:
            self.process = None
            if self.proxy is not None:
                self.proxy.close()
                self.proxy = None
        return code

    def kill9(self) -> None:
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
