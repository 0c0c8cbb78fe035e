"""A TCP proxy that records the request frames real clients send, for the fuzz seed corpora.

Used by EddyProcess when $EDDY_CAPTURE_DIR is set: clients connect to the proxy's port (the
broker's advertised listener points there, so clients that follow metadata stay on it) and the
proxy forwards bytes both ways unchanged. From the client-to-broker stream it cuts the
size-prefixed frames and writes each new one to EDDY_CAPTURE_DIR as
`<api key>-<api version>-<sha1 prefix>.bin` (the frame without its size prefix, as dispatch sees
it). The broker itself has no capture code path.

Bounded: at most MAX_FRAMES_PER_API files per (key, version) and frames up to
MAX_FRAME_BYTES; a stream that stops looking like frames (hostile-input tests) is still
forwarded, just no longer cut.
"""

import hashlib
import os
import socket
import threading
from pathlib import Path

MAX_FRAMES_PER_API = 40
MAX_FRAME_BYTES = 256 * 1024


class FrameCapture:
    """Cuts one connection's client stream into frames and stores the new ones."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.buffer = bytearray()
        self.broken = False

    def feed(self, data: bytes) -> None:
        if self.broken:
            return
        self.buffer += data
        while len(self.buffer) >= 4:
            size = int.from_bytes(self.buffer[:4], "big", signed=True)
            if size < 4 or size > MAX_FRAME_BYTES:
                self.broken = True  # not framing we can follow (or too big to keep)
                self.buffer.clear()
                return
            if len(self.buffer) < 4 + size:
                return
            store_frame(self.directory, bytes(self.buffer[4 : 4 + size]))
            del self.buffer[: 4 + size]


_store_lock = threading.Lock()


def store_frame(directory: Path, frame: bytes) -> None:
    api_key = int.from_bytes(frame[0:2], "big", signed=True)
    api_version = int.from_bytes(frame[2:4], "big", signed=True)
    prefix = f"{api_key}-{api_version}-"
    digest = hashlib.sha1(frame).hexdigest()[:16]
    path = directory / f"{prefix}{digest}.bin"
    with _store_lock:
        if path.exists() or len(list(directory.glob(f"{prefix}*.bin"))) >= MAX_FRAMES_PER_API:
            return
        path.write_bytes(frame)


class CaptureProxy:
    """Listens on 127.0.0.1:listen_port and forwards every connection to 127.0.0.1:target_port."""

    def __init__(self, listen_port: int, target_port: int, directory: Path):
        self.target_port = target_port
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", listen_port))
        self.server.listen(128)
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()  # broker not (or no longer) there: like a refused connection
                continue
            with self.lock:
                if self.closed:
                    client.close()
                    upstream.close()
                    return
                self.sockets.update((client, upstream))
            capture = FrameCapture(self.directory)
            pumps_left = [2]  # the second pump to finish closes both sockets
            for source, sink, cut in ((client, upstream, capture), (upstream, client, None)):
                threading.Thread(
                    target=self._pump, args=(source, sink, cut, pumps_left), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, capture, pumps_left) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if capture is not None:
                    capture.feed(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            # Half-close like the peer did, then let the other pump finish.
            for sock, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
                try:
                    sock.shutdown(how)
                except OSError:
                    pass
            with self.lock:
                pumps_left[0] -= 1
                if pumps_left[0] == 0:
                    for sock in (source, sink):
                        self.sockets.discard(sock)
                        sock.close()

    def close(self) -> None:
        """Closes the listener and every proxied connection (as a stopping broker would)."""
        with self.lock:
            self.closed = True
            sockets = list(self.sockets)
            self.sockets.clear()
        # A thread blocked in accept() keeps a merely closed socket listening; shutdown wakes it.
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def capture_dir() -> Path | None:
    value = os.environ.get("EDDY_CAPTURE_DIR")
    return Path(value) if value else None
