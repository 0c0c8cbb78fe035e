"""Every (API, version) pair the broker advertises, sent on the wire and answered.

Kafka 4 dropped the old versions (KIP-896); Eddy serves every version its schemas define
(docs/kafka-differences.md). For each advertised pair this sends a well-formed request and
decodes the answer: the connection must stay open, the answer must carry the request's
correlation id and parse exactly to its end, and the meaningful requests (produce, fetch,
offsets, configs, topic admin) must succeed.

Request bodies are encoded by kafka-python's protocol classes where kafka-python 2.0.2 has the
version, else by schema_codec.py (our schema-driven encoder, independent of Eddy's generated
C++ codecs); where both can, their bytes must agree, which checks schema_codec too. Answers are
decoded by schema_codec and, where kafka-python has the version, by kafka-python as well.
"""

import importlib
import pkgutil
import struct

import pytest

from clients import create_topic, legacy_batch, topic_ids, v2_batch
from raw_client import RawConnection
from schema_codec import (MessageCodec, Reader, all_requests, load_message, request_header,
                          response_header_is_flexible, version_range)

TOPIC = "every-version"
GROUP = "every-version-group"
COMMITTED_OFFSET = 42
NONE = 0

# Versions kafka-python 2.0.2 encodes wrongly; the schema encoder covers them. ProduceRequest v8
# (its schema does not match the protocol's v8) and ListOffsets v4-5 (current_leader_epoch
# declared int64 instead of int32), DescribeAcls v2 (flexible in the protocol, not in kafka-python).
KAFKA_PYTHON_BROKEN = {(0, 8), (2, 4), (2, 5), (29, 2)}


# --- who encodes ------------------------------------------------------------------------------

def kafka_python_classes() -> dict:
    """(API key, version) -> kafka-python Request class, for every version it has."""
    import kafka.protocol
    from kafka.protocol.api import Request

    for module in pkgutil.iter_modules(kafka.protocol.__path__):
        importlib.import_module(f"kafka.protocol.{module.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {}
    for cls in subclasses(Request):
        if isinstance(cls.API_KEY, int) and isinstance(cls.API_VERSION, int):
            found[(cls.API_KEY, cls.API_VERSION)] = cls
    return {pair: cls for pair, cls in found.items() if pair not in KAFKA_PYTHON_BROKEN}


def field_value(field: dict, value: dict, version: int):
    from schema_codec import _MISSING, default_of, in_versions

    item = value.get(field["name"], _MISSING)
    if item is _MISSING:
        item = default_of(field, in_versions(field.get("nullableVersions"), version))
    return item


def positional(codec: MessageCodec, fields: list, value: dict, version: int,
               kafka_python_fields: tuple) -> tuple:
    """`value` as kafka-python's positional tuple: the fields present at `version`, in order
    (kafka-python's schemas list them in the protocol's order, as the JSON schemas do). Where
    the two group fields differently the wire bytes are the same, so the value is regrouped:
    a struct of one field that kafka-python declares as a bare value (Metadata v0's topic
    names) is flattened, and consecutive fields that kafka-python nests in a struct
    (CreatePartitions v0-1's count and assignments) are grouped."""
    from kafka.protocol.types import Array, Schema

    present = [field for field in fields if codec.present(field, version)]
    out = []
    for kafka_python_type in kafka_python_fields:
        assert present, ("kafka-python has more fields", kafka_python_fields)
        field = present[0]
        kind = field["type"]
        is_struct = "fields" in field or kind.removeprefix("[]") in codec.common
        if isinstance(kafka_python_type, Schema) and not is_struct:
            group = len(kafka_python_type.fields)
            out.append(positional(codec, present[:group], value, version,
                                  kafka_python_type.fields))
            present = present[group:]
            continue
        present = present[1:]
        item = field_value(field, value, version)
        if is_struct and kind.startswith("[]") and item is not None:
            assert isinstance(kafka_python_type, Array), field["name"]
            inner = codec.struct_fields(field)
            if isinstance(kafka_python_type.array_of, Schema):
                item = [positional(codec, inner, entry, version,
                                   kafka_python_type.array_of.fields) for entry in item]
            else:
                (single,) = [f for f in inner if codec.present(f, version)]
                item = [field_value(single, entry, version) for entry in item]
        elif is_struct and not kind.startswith("[]"):
            item = positional(codec, codec.struct_fields(field), item, version,
                              kafka_python_type.fields)
        out.append(item)
    assert not present, ("kafka-python lacks fields", [f["name"] for f in present])
    return tuple(out)


def encode_with_kafka_python(cls, codec: MessageCodec, value: dict, version: int) -> bytes:
    args = positional(codec, codec.message["fields"], value, version, cls.SCHEMA.fields)
    request = cls(*args)
    return request.encode()  # the object stays alive while it encodes


# --- what each API is asked ---------------------------------------------------------------

def produce_records(version: int) -> bytes:
    """What a client of that version sends: magic 0 message sets in v0-1, magic 1 in v2,
    record batches from v3."""
    if version <= 1:
        return legacy_batch(0)
    if version == 2:
        return legacy_batch(1)
    return bytes(v2_batch(count=3, value=b"every-version"))


def request_value(api_key: int, version: int, topic_id: bytes) -> dict:
    """A well-formed request; fields not named take their schema defaults."""
    partition = {"PartitionIndex": 0, "Partition": 0, "Index": 0}
    match api_key:
        case 0:  # Produce
            return {"Acks": -1, "TimeoutMs": 10000, "TopicData": [
                {"Name": TOPIC, "PartitionData": [{"Index": 0,
                                                   "Records": produce_records(version)}]}]}
        case 1:  # Fetch
            return {"ReplicaId": -1, "MaxWaitMs": 0, "MinBytes": 0, "MaxBytes": 1 << 20,
                    "SessionEpoch": -1, "Topics": [{"Topic": TOPIC, "TopicId": topic_id,
                                                    "Partitions": [{"Partition": 0,
                                                                    "FetchOffset": 0,
                                                                    "PartitionMaxBytes": 1 << 20}]}]}
        case 2:  # ListOffsets
            return {"ReplicaId": -1, "Topics": [{"Name": TOPIC, "Partitions": [
                {**partition, "Timestamp": -1, "MaxNumOffsets": 5}]}]}
        case 3:  # Metadata
            return {"Topics": [{"Name": TOPIC}]}
        case 8:  # OffsetCommit
            return {"GroupId": GROUP, "GenerationIdOrMemberEpoch": -1, "Topics": [
                {"Name": TOPIC, "Partitions": [{**partition, "CommittedOffset": COMMITTED_OFFSET,
                                                "CommittedMetadata": "m"}]}]}
        case 9:  # OffsetFetch
            topics = [{"Name": TOPIC, "PartitionIndexes": [0]}]
            return {"GroupId": GROUP, "Topics": topics,
                    "Groups": [{"GroupId": GROUP, "Topics": topics}]}
        case 10:  # FindCoordinator
            return {"Key": GROUP, "CoordinatorKeys": [GROUP]}
        case 15:  # DescribeGroups
            return {"Groups": [GROUP]}
        case 18:  # ApiVersions
            return {"ClientSoftwareName": "eddy-test", "ClientSoftwareVersion": "1.0"}
        case 19:  # CreateTopics
            return {"TimeoutMs": 10000, "Topics": [{"Name": f"created-v{version}",
                                                    "NumPartitions": 1,
                                                    "ReplicationFactor": 1}]}
        case 20:  # DeleteTopics
            name = f"created-v{version}"
            return {"TimeoutMs": 10000, "TopicNames": [name], "Topics": [{"Name": name}]}
        case 21:  # DeleteRecords
            return {"TimeoutMs": 10000, "Topics": [{"Name": TOPIC, "Partitions": [
                {**partition, "Offset": 0}]}]}
        case 23:  # OffsetForLeaderEpoch
            return {"ReplicaId": -1, "Topics": [{"Topic": TOPIC, "Partitions": [
                {**partition, "CurrentLeaderEpoch": -1, "LeaderEpoch": 0}]}]}
        case 32:  # DescribeConfigs
            return {"Resources": [{"ResourceType": 2, "ResourceName": TOPIC,
                                   "ConfigurationKeys": None}]}
        case 33:  # AlterConfigs
            return {"ValidateOnly": True, "Resources": [
                {"ResourceType": 2, "ResourceName": TOPIC,
                 "Configs": [{"Name": "retention.ms", "Value": "86400000"}]}]}
        case 37:  # CreatePartitions
            return {"TimeoutMs": 10000, "ValidateOnly": True,
                    "Topics": [{"Name": TOPIC, "Count": 2, "Assignments": None}]}
        case 42:  # DeleteGroups
            return {"GroupsNames": ["no-such-group"]}
        case 44:  # IncrementalAlterConfigs
            return {"ValidateOnly": True, "Resources": [
                {"ResourceType": 2, "ResourceName": TOPIC,
                 "Configs": [{"Name": "retention.ms", "ConfigOperation": 0,
                              "Value": "86400000"}]}]}
        case 47:  # OffsetDelete
            return {"GroupId": "no-such-group", "Topics": [{"Name": TOPIC, "Partitions": [
                {"PartitionIndex": 0}]}]}
        case 60:  # DescribeCluster
            return {"EndpointType": 1}
    # JoinGroup, Heartbeat, LeaveGroup, SyncGroup, ListGroups: the defaults (an empty group id
    # is answered at once, never parked).
    return {}


def only(items: list) -> dict:
    assert len(items) == 1, items
    return items[0]


def check_answer(api_key: int, version: int, answer: dict) -> None:
    """What the meaningful requests must achieve at every version."""
    match api_key:
        case 0:
            result = only(only(answer["Responses"])["PartitionResponses"])
            assert result["ErrorCode"] == NONE and result["BaseOffset"] >= 0, result
        case 1:
            assert answer.get("ErrorCode", NONE) == NONE
            data = only(only(answer["Responses"])["Partitions"])
            assert data["ErrorCode"] == NONE and data["Records"], data
        case 2:
            result = only(only(answer["Topics"])["Partitions"])
            assert result["ErrorCode"] == NONE, result
            if version == 0:
                assert result["OldStyleOffsets"] and result["OldStyleOffsets"][0] > 0, result
            else:
                assert result["Offset"] > 0, result
        case 3:
            assert only(answer["Topics"])["ErrorCode"] == NONE
        case 8:
            assert only(only(answer["Topics"])["Partitions"])["ErrorCode"] == NONE
        case 9:
            topics = answer["Topics"] if version < 8 else only(answer["Groups"])["Topics"]
            result = only(only(topics)["Partitions"])
            assert result["ErrorCode"] == NONE, result
            assert result["CommittedOffset"] == COMMITTED_OFFSET, result
        case 10:
            error = answer["ErrorCode"] if version < 4 else only(answer["Coordinators"])["ErrorCode"]
            assert error == NONE
        case 18 | 60:
            assert answer["ErrorCode"] == NONE
        case 19:
            assert only(answer["Topics"])["ErrorCode"] == NONE, answer
        case 20:
            assert only(answer["Responses"])["ErrorCode"] == NONE, answer
        case 21 | 23:
            assert only(only(answer["Topics"])["Partitions"])["ErrorCode"] == NONE, answer
        case 32:
            result = only(answer["Results"])
            assert result["ErrorCode"] == NONE and result["Configs"], result
        case 33 | 44:
            assert only(answer["Responses"])["ErrorCode"] == NONE, answer


# --- the exchange -------------------------------------------------------------------------

def advertised(broker) -> list:
    """[(API key, min, max)] from ApiVersions v0, sent and decoded by kafka-python."""
    from kafka.protocol.admin import ApiVersionRequest

    from clients import kp_exchange

    response = kp_exchange(broker, ApiVersionRequest[0]())
    assert response.error_code == NONE
    return sorted(response.api_versions)


class Exchange:
    """One connection per API; every version goes over it in turn."""

    def __init__(self, broker, kafka_python: dict):
        self.broker, self.kafka_python = broker, kafka_python
        self.correlation_id = 100
        self.encoded_by_kafka_python = set()

    def send(self, connection, api_key: int, version: int, value: dict) -> dict:
        request = MessageCodec(load_message(all_requests()[api_key]["name"]))
        response = MessageCodec(load_message(
            all_requests()[api_key]["name"].replace("Request", "Response")))
        body = request.encode(version, value)
        cls = self.kafka_python.get((api_key, version))
        if cls is not None:
            kafka_python_body = encode_with_kafka_python(cls, request, value, version)
            assert kafka_python_body == body, f"encoders disagree on ({api_key}, v{version})"
            body = kafka_python_body
            self.encoded_by_kafka_python.add((api_key, version))
        self.correlation_id += 1
        flexible = request.flexible(version)
        connection.send_frame(request_header(api_key, version, self.correlation_id,
                                             "eddy-every-version", flexible) + body)
        frame = connection.read_frame()
        assert frame is not None, f"({api_key}, v{version}): the broker closed the connection"
        reader = Reader(frame)
        assert reader.fixed("i") == self.correlation_id, (api_key, version)
        if response_header_is_flexible(api_key, flexible):
            reader.skip_tags()
        body_start = reader.position
        answer = response.decode(version, reader)
        assert reader.position == len(frame), \
            f"({api_key}, v{version}): {len(frame) - reader.position} bytes after the answer"
        if cls is not None:
            cls.RESPONSE_TYPE.decode(frame[body_start:])  # kafka-python reads it too
        return answer


def test_advertised_ranges_are_the_schemas_whole_ranges(eddy):
    requests = all_requests()
    for api_key, low, high in advertised(eddy):
        assert (low, high) == version_range(requests[api_key]["validVersions"]), \
            (requests[api_key]["name"], low, high)


def wait_for_group_coordinator(broker):
    """__consumer_offsets is created on the first FindCoordinator; the group APIs answer
    COORDINATOR_NOT_AVAILABLE until it is loaded, as in Kafka."""
    from kafka.protocol.commit import GroupCoordinatorRequest

    from clients import kp_exchange, wait_until

    wait_until(lambda: kp_exchange(broker, GroupCoordinatorRequest[0](GROUP)).error_code == NONE,
               30, "the group coordinator")


def test_every_advertised_version_is_answered(eddy):
    create_topic(eddy, TOPIC, 1)
    wait_for_group_coordinator(eddy)
    topic_id = topic_ids(eddy, [TOPIC])[TOPIC]
    exchange = Exchange(eddy, kafka_python_classes())
    pairs = 0
    for api_key, low, high in advertised(eddy):
        with RawConnection(eddy.port, timeout_s=30) as connection:
            for version in range(low, high + 1):
                answer = exchange.send(connection, api_key, version,
                                       request_value(api_key, version, topic_id))
                check_answer(api_key, version, answer)
                pairs += 1
            # Still open after the last version.
            exchange.send(connection, 18, 0, {})
    print(f"{pairs} advertised pairs answered, {len(exchange.encoded_by_kafka_python)} of them "
          "encoded by kafka-python")
    assert pairs >= 150, pairs
    # kafka-python encoded every pair it has, and agreed with the schema encoder on each.
    assert len(exchange.encoded_by_kafka_python) >= 60, exchange.encoded_by_kafka_python
