"""The few Kafka wire messages the allocation bench sends, encoded from the protocol guide's
field layouts (so the bench does not measure Eddy with Eddy's own codecs)."""

import socket
import struct
import sys
import time
from pathlib import Path

# The dependency-free wire primitives the integration tests use (no Eddy code either).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))
from raw_client import Cursor, compact_string, uvarint  # noqa: E402


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


def varint(value: int) -> bytes:
    return uvarint((value << 1) ^ (value >> 63))  # zigzag


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


def batch_record_count(batch: bytes) -> int:
    return struct.unpack_from(">i", batch, 57)[0]  # recordCount, the last header field


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


def create_topics_body(topic: str, partitions: int, configs: dict[str, str]) -> bytes:
    """CreateTopics v5 (flexible): one topic, replication factor 1."""
    config_bytes = b"".join(
        compact_string(name) + compact_string(value) + uvarint(0) for name, value in configs.items())
    return (uvarint(2) + compact_string(topic) + struct.pack(">ih", partitions, 1) + uvarint(1) +
            uvarint(len(configs) + 1) + config_bytes + uvarint(0) + struct.pack(">i?", 30000, False)
            + uvarint(0))


def produce_results(response: bytes) -> list[tuple[int, int, int]]:
    """(partition, error code, base offset) of every partition in a Produce v9 response (after
    the correlation id)."""
    reader = Cursor(response)
    reader.skip_tags()  # response header v1
    results = []
    for _ in range(reader.uvarint() - 1):
        reader.compact_bytes()
        for _ in range(reader.uvarint() - 1):
            index, error, base_offset = reader.take("ihq")
            reader.take("qq")
            for _ in range(reader.uvarint() - 1):
                reader.take("i")
                reader.compact_bytes()
                reader.skip_tags()
            reader.compact_bytes()
            reader.skip_tags()
            results.append((index, error, base_offset))
        reader.skip_tags()
    return results


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
