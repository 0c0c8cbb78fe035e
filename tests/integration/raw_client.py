"""A minimal Kafka wire client for tests that must send exact (or deliberately broken) bytes.

Message bodies come from kafka-python's protocol classes where they exist, so the test does
not encode with Eddy's own code; headers and the few flexible-version bodies kafka-python
lacks are written out by hand from the protocol guide.
"""

import socket
import struct


def uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def compact_string(text: str | None) -> bytes:
    if text is None:
        return uvarint(0)
    data = text.encode()
    return uvarint(len(data) + 1) + data


class Cursor:
    """Reads Kafka primitives from a response body."""

    def __init__(self, data: bytes, position: int = 0):
        self.data, self.position = data, position

    def take(self, fmt: str):
        values = struct.unpack_from(">" + fmt, self.data, self.position)
        self.position += struct.calcsize(">" + fmt)
        return values[0] if len(values) == 1 else values

    def uvarint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def compact_string(self) -> str | None:
        size = self.uvarint() - 1
        if size < 0:
            return None
        text = self.data[self.position:self.position + size].decode()
        self.position += size
        return text

    def compact_bytes(self) -> bytes | None:
        size = self.uvarint() - 1
        if size < 0:
            return None
        data = self.data[self.position:self.position + size]
        self.position += size
        return data

    def uuid(self) -> bytes:
        data = self.data[self.position:self.position + 16]
        self.position += 16
        return data

    def skip_tags(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()
            self.position += self.uvarint()

    def compact_array(self, read_item) -> list | None:
        size = self.uvarint() - 1
        return None if size < 0 else [read_item() for _ in range(size)]


def request_header(api_key: int, version: int, correlation_id: int, client_id: str | None,
                   flexible: bool) -> bytes:
    header = struct.pack(">hhi", api_key, version, correlation_id)
    if client_id is None:
        header += struct.pack(">h", -1)
    else:
        header += struct.pack(">h", len(client_id.encode())) + client_id.encode()
    if flexible:
        header += uvarint(0)  # no tagged fields
    return header


class RawConnection:
    def __init__(self, port: int, timeout_s: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_frame(self, body: bytes) -> None:
        self.sock.sendall(struct.pack(">i", len(body)) + body)

    def send_request(self, api_key: int, version: int, body: bytes, correlation_id: int = 1,
                     client_id: str | None = "eddy-test", flexible: bool = False) -> None:
        self.send_frame(request_header(api_key, version, correlation_id, client_id, flexible) + body)

    def _read_exact(self, size: int) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return bytes(data)

    def read_frame(self) -> bytes | None:
        """The next response frame without its size prefix; None if the broker closed."""
        try:
            prefix = self._read_exact(4)
            if prefix is None:
                return None
            return self._read_exact(struct.unpack(">i", prefix)[0])
        except ConnectionResetError:
            return None

    def is_closed_by_peer(self) -> bool:
        """True once the broker has closed the connection (reads EOF or reset)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
