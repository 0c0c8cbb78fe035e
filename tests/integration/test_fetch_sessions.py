"""Incremental fetch sessions (KIP-227), driven with kafka-python's Fetch v7 classes: the
installed librdkafka and kafka-python fetch without sessions, the Java client with them."""

from kafka.protocol.fetch import FetchRequest

from clients import create_topic, kp_exchange, raw_produce, v2_batch

NONE, FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH = 0, 70, 71


def fetch_v7(eddy, session_id, epoch, partitions, max_wait_ms=0):
    """partitions: [(partition, fetch offset)] of topic "s"; returns the decoded response."""
    topics = [("s", [(p, offset, -1, 1024 * 1024) for p, offset in partitions])] if partitions else []
    request = FetchRequest[7](replica_id=-1, max_wait_time=max_wait_ms, min_bytes=0,
                              max_bytes=50 * 1024 * 1024, isolation_level=0,
                              session_id=session_id, session_epoch=epoch, topics=topics,
                              forgotten_topics_data=[])
    return kp_exchange(eddy, request)


def listed(response):
    """{partition: (error, high watermark, record bytes)} of the response's partitions."""
    out = {}
    for _, partitions in response.topics:
        for partition, error, high_watermark, _, _, _, records in partitions:
            out[partition] = (error, high_watermark, len(records or b""))
    return out


def test_incremental_session_sends_only_partitions_with_news(eddy):
    create_topic(eddy, "s", 3)
    assert raw_produce(eddy, "s", 0, v2_batch(count=3))[0] == NONE

    opened = fetch_v7(eddy, 0, 0, [(0, 0), (1, 0), (2, 0)])
    assert opened.error_code == NONE and opened.session_id > 0
    first = listed(opened)
    assert set(first) == {0, 1, 2}  # a full response lists every partition
    assert first[0][1] == 3 and first[0][2] > 0

    # Nothing new anywhere (partition 0 now fetched from its end): an empty response.
    quiet = fetch_v7(eddy, opened.session_id, 1, [(0, 3)])
    assert (quiet.error_code, quiet.session_id) == (NONE, opened.session_id)
    assert listed(quiet) == {}

    # New records on partition 2 only: only partition 2 is listed, although the request
    # names no partition at all.
    assert raw_produce(eddy, "s", 2, v2_batch(count=2))[0] == NONE
    news = listed(fetch_v7(eddy, opened.session_id, 2, []))
    assert list(news) == [2] and news[2][1] == 2 and news[2][2] > 0


def test_session_errors_and_sessionless_fetch(eddy):
    create_topic(eddy, "s", 1)
    assert fetch_v7(eddy, 123456, 1, []).error_code == FETCH_SESSION_ID_NOT_FOUND
    opened = fetch_v7(eddy, 0, 0, [(0, 0)])
    assert fetch_v7(eddy, opened.session_id, 5, []).error_code == INVALID_FETCH_SESSION_EPOCH
    # (id, -1) closes the session and fetches without one.
    closed = fetch_v7(eddy, opened.session_id, -1, [(0, 0)])
    assert (closed.error_code, closed.session_id) == (NONE, 0)
    assert fetch_v7(eddy, opened.session_id, 1, []).error_code == FETCH_SESSION_ID_NOT_FOUND
