"""A Kafka message encoder and decoder driven by the JSON schemas in src/protocol/schema/.

Written for the tests, independently of Eddy's generated C++ codecs: it reads the same schema
data (names, types, version ranges) and applies the protocol guide's encoding rules, so a
request it encodes and a response it decodes check Eddy's code rather than repeat it.

Values are dicts keyed by the schemas' field names (CamelCase). A field missing from a value is
encoded with its schema default (or the type's zero). Decoding returns such dicts; tagged fields
are skipped (their values are not needed by the tests), but their bytes are consumed exactly.
"""

import json
import re
import struct
import uuid as uuid_module
from pathlib import Path

from raw_client import uvarint

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "src" / "protocol" / "schema"

FIXED = {"bool": "?", "int8": "b", "int16": "h", "uint16": "H", "int32": "i", "uint32": "I",
         "int64": "q", "float64": "d"}


def in_versions(spec: str | None, version: int) -> bool:
    """Whether `version` is in a schema range: "none", "N", "N+", "A-B"."""
    if spec is None or spec == "none":
        return False
    if spec.endswith("+"):
        return version >= int(spec[:-1])
    if "-" in spec:
        low, high = spec.split("-")
        return int(low) <= version <= int(high)
    return version == int(spec)


def version_range(spec: str) -> tuple[int, int]:
    low, _, high = spec.partition("-")
    return int(low), int(high or low)


def load_message(name: str) -> dict:
    text = (SCHEMA_DIR / f"{name}.json").read_text()
    return json.loads(re.sub(r"//.*", "", text))


def all_requests() -> dict:
    """API key -> request schema, for every request in the schema directory."""
    out = {}
    for path in SCHEMA_DIR.glob("*Request.json"):
        message = load_message(path.stem)
        out[message["apiKey"]] = message
    return out


# --- primitive encoding -------------------------------------------------------------------

class Reader:
    def __init__(self, data: bytes, position: int = 0):
        self.data, self.position = data, position

    def take(self, size: int) -> bytes:
        if self.position + size > len(self.data):
            raise ValueError(f"need {size} bytes at {self.position}, have {len(self.data)}")
        chunk = self.data[self.position:self.position + size]
        self.position += size
        return chunk

    def fixed(self, code: str):
        return struct.unpack(">" + code, self.take(struct.calcsize(">" + code)))[0]

    def uvarint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 35:
                raise ValueError("varint too long")

    def skip_tags(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


class MessageCodec:
    """Encodes or decodes one message (a request or a response) at any of its versions."""

    def __init__(self, message: dict):
        self.message = message
        self.common = {s["name"]: s["fields"] for s in message.get("commonStructs", [])}

    def flexible(self, version: int) -> bool:
        return in_versions(self.message.get("flexibleVersions"), version)

    def struct_fields(self, field: dict) -> list:
        if "fields" in field:
            return field["fields"]
        return self.common[field["type"].removeprefix("[]")]

    def present(self, field: dict, version: int) -> bool:
        """In the fixed sequence at `version` (tagged fields travel in the tag buffer)."""
        return in_versions(field["versions"], version) and \
            not in_versions(field.get("taggedVersions"), version)

    # --- encoding ---

    def encode(self, version: int, value: dict) -> bytes:
        return self._encode_struct(self.message["fields"], value, version)

    def _encode_struct(self, fields: list, value: dict, version: int) -> bytes:
        out = b""
        for field in fields:
            if self.present(field, version):
                out += self._encode_field(field, value.get(field["name"], _MISSING), version)
        if self.flexible(version):
            out += uvarint(0)  # no tagged fields
        return out

    def _encode_field(self, field: dict, value, version: int) -> bytes:
        kind = field["type"]
        nullable = in_versions(field.get("nullableVersions"), version)
        if value is _MISSING:
            value = default_of(field, nullable)
        flexible = self.flexible(version)
        if kind.startswith("[]"):
            if value is None:
                return uvarint(0) if flexible else struct.pack(">i", -1)
            element = kind[2:]
            head = uvarint(len(value) + 1) if flexible else struct.pack(">i", len(value))
            if element in FIXED or element in ("string", "uuid", "bytes"):
                return head + b"".join(self._encode_primitive(element, item, flexible)
                                       for item in value)
            fields = self.struct_fields(field)
            return head + b"".join(self._encode_struct(fields, item, version) for item in value)
        if kind in FIXED or kind in ("string", "bytes", "records", "uuid"):
            return self._encode_primitive(kind, value, flexible)
        if value is None:
            raise ValueError(f"{field['name']}: a struct field cannot be null here")
        return self._encode_struct(self.struct_fields(field), value, version)

    @staticmethod
    def _encode_primitive(kind: str, value, flexible: bool) -> bytes:
        if kind in FIXED:
            return struct.pack(">" + FIXED[kind], value)
        if kind == "uuid":
            return bytes(value) if value else bytes(16)
        if kind == "string":
            if value is None:
                return uvarint(0) if flexible else struct.pack(">h", -1)
            data = value.encode()
            return (uvarint(len(data) + 1) if flexible else struct.pack(">h", len(data))) + data
        # bytes, records
        if value is None:
            return uvarint(0) if flexible else struct.pack(">i", -1)
        data = bytes(value)
        return (uvarint(len(data) + 1) if flexible else struct.pack(">i", len(data))) + data

    # --- decoding ---

    def decode(self, version: int, reader: Reader) -> dict:
        return self._decode_struct(self.message["fields"], reader, version)

    def _decode_struct(self, fields: list, reader: Reader, version: int) -> dict:
        out = {}
        for field in fields:
            if self.present(field, version):
                out[field["name"]] = self._decode_field(field, reader, version)
        if self.flexible(version):
            reader.skip_tags()
        return out

    def _decode_field(self, field: dict, reader: Reader, version: int):
        kind = field["type"]
        flexible = self.flexible(version)
        if kind.startswith("[]"):
            count = reader.uvarint() - 1 if flexible else reader.fixed("i")
            if count < 0:
                return None
            element = kind[2:]
            if element in FIXED or element in ("string", "uuid", "bytes"):
                return [self._decode_primitive(element, reader, flexible) for _ in range(count)]
            fields = self.struct_fields(field)
            return [self._decode_struct(fields, reader, version) for _ in range(count)]
        if kind in FIXED or kind in ("string", "bytes", "records", "uuid"):
            return self._decode_primitive(kind, reader, flexible)
        return self._decode_struct(self.struct_fields(field), reader, version)

    @staticmethod
    def _decode_primitive(kind: str, reader: Reader, flexible: bool):
        if kind in FIXED:
            return reader.fixed(FIXED[kind])
        if kind == "uuid":
            return reader.take(16)
        if kind == "string":
            size = reader.uvarint() - 1 if flexible else reader.fixed("h")
            return None if size < 0 else reader.take(size).decode()
        size = reader.uvarint() - 1 if flexible else reader.fixed("i")
        return None if size < 0 else reader.take(size)


class _Missing:
    pass


_MISSING = _Missing()


def default_of(field: dict, nullable: bool):
    """The schema's default for a field, else the zero of its type."""
    kind = field["type"]
    default = field.get("default")
    if default == "null" and nullable:
        return None
    if kind.startswith("[]"):
        return []
    if kind == "bool":
        return default in (True, "true")
    if kind in FIXED:
        if default is None or default == "":
            return 0
        return float(default) if kind == "float64" else int(str(default), 0)
    if kind == "string":
        return default if isinstance(default, str) and default != "null" else ""
    if kind in ("bytes", "records"):
        return b""
    if kind == "uuid":
        return uuid_module.UUID(int=0).bytes
    return {}  # a struct: every field at its default


# --- headers ----------------------------------------------------------------------------------

def request_header(api_key: int, version: int, correlation_id: int, client_id: str,
                   flexible: bool) -> bytes:
    """Request header v1, or v2 (v1 plus a tag buffer) for flexible versions."""
    data = client_id.encode()
    header = struct.pack(">hhih", api_key, version, correlation_id, len(data)) + data
    return header + (uvarint(0) if flexible else b"")


def response_header_is_flexible(api_key: int, flexible: bool) -> bool:
    """Response header v1 (with tags) for flexible versions, except ApiVersions, whose
    response header is always v0 so that any client can read it."""
    return flexible and api_key != 18
