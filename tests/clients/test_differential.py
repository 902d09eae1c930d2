"""Differential tests: for every operation of every shipped service, randomized valid
inputs serialize to the request botocore builds, and randomized outputs encoded as wire
responses parse to what botocore returns (``to_dict()`` equals botocore's dict).

At least 1,000 cases per protocol: json (DynamoDB, SQS, Kinesis, Logs, EventBridge, Secrets
Manager, SSM, CloudWatch), rest-json (Lambda), query (SNS, STS), rest-xml (S3).
"""

from __future__ import annotations

from typing import List

import pytest

from native_lambda_toolchain.clients import SHIPPED

from .differential import cases, encode_response, parse_pair, request_pair

#: Seeds per operation, chosen so that every protocol gets at least 1,000 cases.
SEEDS = {"lambda": 15, "sns": 25, "sts": 100, "s3": 12}
DEFAULT_SEEDS = 5
#: botocore's own quirks, not ours: (operation, why its result is not comparable).
BOTOCORE_QUIRKS = {
    "GetBucketNotification": "botocore returns raw XML elements for the deprecated `Event` "
    "member, which shares its element name with the flattened `Events` list",
}


@pytest.mark.parametrize("service", sorted(SHIPPED))
def test_requests_and_responses_match_botocore(service: str) -> None:
    failures: List[str] = []
    n = 0
    for protocol, ours, mod, op, params, output in cases(
        service, SHIPPED[service], SEEDS.get(service, DEFAULT_SEEDS)
    ):
        n += 1
        try:
            theirs, mine = request_pair(protocol, ours, op, params)
        except Exception as exc:
            failures.append(f"{op.name} serialize {params!r}: {type(exc).__name__}: {exc}")
            continue
        if theirs != mine:
            diff = {k: (theirs[k], mine[k]) for k in theirs if theirs[k] != mine[k]}
            failures.append(f"{op.name} request {params!r}: {diff}")
        if output is not None and op.name not in BOTOCORE_QUIRKS:
            try:
                status, headers, body = encode_response(protocol, ours, op.name, output)
                expected, got = parse_pair(protocol, ours, mod, op, status, headers, body)
            except Exception as exc:
                failures.append(f"{op.name} parse {output!r}: {type(exc).__name__}: {exc}")
                continue
            if expected != got:
                failures.append(f"{op.name} response: botocore {expected!r}\n  ours {got!r}")
    assert n >= 50
    assert not failures, f"{len(failures)} of {n} cases differ:\n" + "\n".join(failures[:8])


def test_every_protocol_gets_at_least_1000_cases() -> None:
    from .differential import load
    from .shapegen import operations

    per_protocol: dict = {}
    for service, module in SHIPPED.items():
        _, ours, theirs = load(service, module)
        n = len(operations(theirs)) * SEEDS.get(service, DEFAULT_SEEDS)
        protocol = ours.metadata["protocol"]
        per_protocol[protocol] = per_protocol.get(protocol, 0) + n
    assert set(per_protocol) == {"json", "rest-json", "query", "rest-xml"}
    assert min(per_protocol.values()) >= 1000, per_protocol
