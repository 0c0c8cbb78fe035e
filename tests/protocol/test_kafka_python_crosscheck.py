"""Cross-checks Eddy's generated codecs against an independent encoder: kafka-python.

For every request and response class kafka-python defines, build an instance with a
non-default value in every field, encode it with kafka-python, and feed the bytes to
eddy_protocol_tool. Eddy must (a) re-encode them byte for byte and (b) decode the values that
were given to kafka-python. Where the two disagree, the Kafka JSON schema settles who is
right; each such case is listed in EXPECTED_DISAGREEMENTS with its reason. A listed case that
starts agreeing, or a new disagreement, fails the test.

Run: /usr/bin/python3 -m pytest tests/protocol/test_kafka_python_crosscheck.py
The tool is found through EDDY_PROTOCOL_TOOL, else in build/<preset>/src/protocol/.
"""

import importlib
import inspect
import itertools
import json
import os
import pkgutil
import subprocess

import pytest

import kafka.protocol
from kafka.protocol import types
from kafka.protocol.api import Request, Response

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRESETS = ("debug", "asan", "release", "protocol")

# (kafka-python class name) -> why kafka-python and the Kafka schema disagree. Eddy follows
# the schema (src/protocol/schema/), which is what Apache Kafka's own code is generated from.
EXPECTED_DISAGREEMENTS = {
    "DescribeAclsRequest_v2": (
        "eddy cannot decode",
        "Kafka made DescribeAcls v2 its first flexible version (compact strings and arrays, "
        "tagged fields); kafka-python encodes v2 with the classic v1 layout.",
    ),
    "DescribeAclsResponse_v2": (
        "eddy cannot decode",
        "as DescribeAclsRequest_v2: v2 is flexible in Kafka, classic in kafka-python.",
    ),
    "DescribeGroupsResponse_v3": (
        "eddy cannot decode",
        "Kafka added DescribedGroup.AuthorizedOperations (int32) in v3; kafka-python's v3 "
        "lacks it, so its bytes end 4 bytes early per group.",
    ),
    "GroupCoordinatorResponse_v1": (
        "eddy cannot decode",
        "FindCoordinatorResponse v1 starts with ThrottleTimeMs (int32) in Kafka; "
        "kafka-python's v1 omits it.",
    ),
    "OffsetRequest_v4": (
        "eddy cannot decode",
        "ListOffsetsRequest CurrentLeaderEpoch is an int32 in Kafka; kafka-python encodes "
        "an int64.",
    ),
    "OffsetRequest_v5": (
        "eddy cannot decode",
        "as OffsetRequest_v4: CurrentLeaderEpoch is int32, kafka-python writes int64.",
    ),
    "ProduceResponse_v8": (
        "eddy cannot decode",
        "Kafka added RecordErrors ([]BatchIndexAndErrorMessage) and ErrorMessage (nullable "
        "string) to each partition response in v8; kafka-python's v8 has neither.",
    ),
}


def find_tool():
    explicit = os.environ.get("EDDY_PROTOCOL_TOOL")
    if explicit:
        return explicit
    for preset in PRESETS:
        candidate = os.path.join(REPO_ROOT, "build", preset, "src", "protocol", "eddy_protocol_tool")
        if os.path.exists(candidate):
            return candidate
    pytest.fail(
        "eddy_protocol_tool not found: set EDDY_PROTOCOL_TOOL or build it in build/<preset> "
        f"(looked for presets {', '.join(PRESETS)})"
    )


def kafka_python_classes():
    """Every request and response class kafka-python defines, ordered by name."""
    found = {}
    for module_info in pkgutil.iter_modules(kafka.protocol.__path__):
        module = importlib.import_module("kafka.protocol." + module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls in (Request, Response) or not issubclass(cls, (Request, Response)):
                continue
            if hasattr(cls, "API_KEY") and hasattr(cls, "API_VERSION"):
                found[cls.__name__] = cls
    return [found[name] for name in sorted(found)]


def is_bare_string_class(field_type):
    # kafka-python declares a few fields as the String class instead of String('utf-8');
    # those cannot encode any value (its own bug), so arrays of them are sent empty.
    return field_type is types.String


def can_encode(field_type):
    if is_bare_string_class(field_type):
        return False
    if isinstance(field_type, types.Schema):
        return all(can_encode(f) for f in field_type.fields)
    if isinstance(field_type, types.Array):
        return can_encode(field_type.array_of)
    return True


class Values:
    """Deterministic, non-default values for every kafka-python field type."""

    def __init__(self):
        self.counter = itertools.count(1)

    def for_type(self, field_type):
        n = next(self.counter)
        if isinstance(field_type, types.Schema):
            return tuple(self.for_type(f) for f in field_type.fields)
        if isinstance(field_type, types.Array):
            if not can_encode(field_type.array_of):
                return []
            return [self.for_type(field_type.array_of) for _ in range(2)]
        if isinstance(field_type, types.String):
            return f"s{n}"
        kind = field_type if isinstance(field_type, type) else type(field_type)
        if kind is types.Bytes:
            return bytes([n % 256, 0, 255])
        if kind is types.Boolean:
            return True
        if kind in (types.Int8, types.Int16, types.Int32, types.Int64):
            return 1 + n % 100
        raise AssertionError(f"unhandled kafka-python type {field_type!r}")


def unwrap(items):
    # A struct of one field becomes that field: kafka-python writes some one-field structs
    # (e.g. Metadata v0 topics) as bare values.
    return items[0] if len(items) == 1 else items


def normalize_eddy(value):
    """Eddy's JSON in the common shape: structs become lists of field values (positional,
    since the two spell field names differently) and bytes are already hex."""
    if isinstance(value, dict):
        return unwrap([normalize_eddy(v) for v in value.values()])
    if isinstance(value, list):
        return [normalize_eddy(v) for v in value]
    return value


def schema_items(schema, value):
    items = []
    for field_type, field_value in zip(schema.fields, value):
        if isinstance(field_type, types.Schema):
            # A Schema directly inside a Schema has no wire framing: its fields are inline.
            items.extend(schema_items(field_type, field_value))
        else:
            items.append(normalize_kafka_python(field_type, field_value))
    return items


def normalize_kafka_python(field_type, value):
    """kafka-python's values in the common shape, guided by its types."""
    if isinstance(field_type, types.Schema):
        return unwrap(schema_items(field_type, value))
    if isinstance(field_type, types.Array):
        if value is None:
            return None
        return [normalize_kafka_python(field_type.array_of, v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def observe(tool, cls):
    """'agree', or a short description of how Eddy and kafka-python differ."""
    values = Values().for_type(cls.SCHEMA)
    instance = cls(*values)  # kept alive: kafka-python's encode is a weak method
    encoded = instance.encode()
    kind = "request" if issubclass(cls, Request) else "response"
    result = subprocess.run(
        [tool, "decode-encode", str(cls.API_KEY), str(cls.API_VERSION), kind],
        input=encoded.hex(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        return "eddy cannot decode"
    json_line, hex_line = result.stdout.splitlines()
    problems = []
    if bytes.fromhex(hex_line) != encoded:
        problems.append("re-encoding differs")
    if normalize_eddy(json.loads(json_line)) != normalize_kafka_python(cls.SCHEMA, values):
        problems.append("values differ")
    return "; ".join(problems) if problems else "agree"


CLASSES = kafka_python_classes()


def test_kafka_python_is_the_expected_one():
    # 180 classes in kafka-python 2.0.2 (Debian bookworm); a different version changes the list.
    assert len(CLASSES) >= 150


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_eddy_matches_kafka_python(cls):
    tool = find_tool()
    outcome = observe(tool, cls)
    expected = EXPECTED_DISAGREEMENTS.get(cls.__name__)
    if expected is None:
        assert outcome == "agree", f"{cls.__name__} v{cls.API_VERSION}: {outcome}"
    else:
        assert outcome != "agree", (
            f"{cls.__name__} now agrees: remove it from EXPECTED_DISAGREEMENTS ({expected[1]})"
        )
        assert outcome == expected[0], f"{cls.__name__}: {outcome}"


def test_every_listed_disagreement_names_a_kafka_python_class():
    names = {cls.__name__ for cls in CLASSES}
    assert sorted(set(EXPECTED_DISAGREEMENTS) - names) == []
