"""The standard retry mode and timeouts against a real local server that injects faults;
every count is the number of requests the server received."""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest

from native_lambda.aws.clients import dynamodb
from native_lambda.aws.protocols import ServiceError, TransportError, _retry, _transport

from .scripted import ScriptedServer, json_answer, sequence

KEYS = {"aws_access_key_id": "AKIDRETRIES000000001", "aws_secret_access_key": "secret"}
OK_ITEM = json_answer(200, b'{"Item": {"pk": {"S": "a"}}}')
KEY = {"pk": {"S": "a"}}


def _error(status: int, code: str) -> tuple:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code})
    return json_answer(status, body.encode())


def _client(url: str, **kwargs: object) -> dynamodb.Client:
    _retry._QUOTAS.pop(url, None)  # each test starts with a full retry quota
    return dynamodb.Client(region_name="us-east-1", endpoint_url=url, **KEYS, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_pool() -> None:
    _transport.close_all()


def test_throttling_is_retried_with_jittered_backoff_until_it_succeeds() -> None:
    throttled = _error(400, "ThrottlingException")
    with ScriptedServer(sequence([throttled, throttled], OK_ITEM)) as server:
        got = _client(server.url, max_attempts=3).get_item(TableName="t", Key=KEY)
    assert got.to_dict() == {"Item": {"pk": {"S": "a"}}}
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_answers_are_retried_up_to_max_attempts(status: int) -> None:
    with ScriptedServer(sequence([], _error(status, "InternalServerError"))) as server:
        client = _client(server.url, max_attempts=2)
        with pytest.raises(ServiceError) as caught:
            client.put_item(TableName="t", Item=KEY)
    assert caught.value.status == status
    assert len(server.requests) == 2


def test_a_client_error_is_not_retried() -> None:
    script = sequence([], _error(400, "ValidationException"))
    with (
        ScriptedServer(script) as server,
        pytest.raises(ServiceError, match="ValidationException"),
    ):
        _client(server.url, max_attempts=5).get_item(TableName="t", Key=KEY)
    assert len(server.requests) == 1


def test_backoff_is_full_jitter_capped_exponential() -> None:
    for attempt, cap in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 20.0), (12, 20.0)):
        waits = [_retry.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= w <= cap for w in waits)
        assert len(set(waits)) > 150  # jittered, not a fixed schedule
        assert max(waits) > cap * 0.8


def test_an_exhausted_retry_quota_stops_retrying() -> None:
    with ScriptedServer(sequence([], _error(503, "ServiceUnavailable"))) as server:
        client = _client(server.url, max_attempts=5)
        client._quota.available = _retry.RETRY_COST  # one retry left in the quota
        with pytest.raises(ServiceError):
            client.get_item(TableName="t", Key=KEY)
        assert len(server.requests) == 2
        with pytest.raises(ServiceError):
            client.get_item(TableName="t", Key=KEY)  # empty quota: no retry at all
        assert len(server.requests) == 3


def test_a_success_refills_the_quota() -> None:
    throttled = _error(400, "ThrottlingException")
    with ScriptedServer(sequence([throttled], OK_ITEM)) as server:
        client = _client(server.url, max_attempts=3)
        client.get_item(TableName="t", Key=KEY)
        assert client._quota.available == _retry.INITIAL_QUOTA
    assert len(server.requests) == 2


def test_ambiguous_failure_of_a_non_idempotent_operation_is_not_retried() -> None:
    # The server read the request, then closed without answering: it may have been applied.
    script = sequence([("drop",)], json_answer(200, b"{}"))
    with ScriptedServer(script) as server, pytest.raises(TransportError) as caught:
        _client(server.url, max_attempts=3).put_item(TableName="t", Item=KEY)
    assert caught.value.sent is True
    assert len(server.requests) == 1


def test_ambiguous_failure_of_a_read_is_retried() -> None:
    with ScriptedServer(sequence([("drop",)], OK_ITEM)) as server:
        got = _client(server.url, max_attempts=3).get_item(TableName="t", Key=KEY)
    assert got.to_dict()["Item"] == {"pk": {"S": "a"}}
    assert len(server.requests) == 2


def test_an_idempotency_token_is_filled_in_and_makes_the_retry_safe() -> None:
    with ScriptedServer(sequence([("drop",)], json_answer(200, b"{}"))) as server:
        _client(server.url, max_attempts=3).transact_write_items(
            TransactItems=[{"Put": {"TableName": "t", "Item": KEY}}]
        )
    assert len(server.requests) == 2
    tokens = [json.loads(r.body)["ClientRequestToken"] for r in server.requests]
    assert tokens[0] == tokens[1]  # the same token on the retry: the service deduplicates
    assert str(uuid.UUID(tokens[0])) == tokens[0]


def test_a_given_idempotency_token_is_kept() -> None:
    with ScriptedServer(sequence([], json_answer(200, b"{}"))) as server:
        _client(server.url).transact_write_items(
            TransactItems=[{"Put": {"TableName": "t", "Item": KEY}}], ClientRequestToken="mine-1"
        )
    assert json.loads(server.requests[0].body)["ClientRequestToken"] == "mine-1"


def test_read_timeout() -> None:
    with ScriptedServer(sequence([], ("hang", 3.0))) as server:
        client = _client(server.url, read_timeout=0.3, max_attempts=1)
        started = time.monotonic()
        with pytest.raises(TransportError, match="timed out"):
            client.get_item(TableName="t", Key=KEY)
        assert time.monotonic() - started < 2.0
    assert len(server.requests) == 1


def test_a_timed_out_read_is_retried_and_costs_more_quota() -> None:
    with ScriptedServer(sequence([("hang", 1.0)], OK_ITEM)) as server:
        client = _client(server.url, read_timeout=0.3, max_attempts=2)
        client.get_item(TableName="t", Key=KEY)
        # The timeout took TIMEOUT_COST; the success gave it back.
        assert client._quota.available == _retry.INITIAL_QUOTA
    assert len(server.requests) == 2


def test_a_timed_out_write_is_not_retried() -> None:
    with ScriptedServer(sequence([], ("hang", 2.0))) as server:
        client = _client(server.url, read_timeout=0.3, max_attempts=3)
        with pytest.raises(TransportError, match="timed out"):
            client.put_item(TableName="t", Item=KEY)
    assert len(server.requests) == 1


def test_connect_timeout() -> None:
    # A listener that never accepts, its backlog already full: the next SYN goes unanswered.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                fillers.append(s)
            client = _client(f"http://127.0.0.1:{port}", connect_timeout=0.3, max_attempts=1)
            started = time.monotonic()
            with pytest.raises(TransportError, match="timed out") as caught:
                client.get_item(TableName="t", Key=KEY)
            assert time.monotonic() - started < 2.0
            assert caught.value.sent is False
        finally:
            for s in fillers:
                s.close()
