"""Lambda Managed Instances in ``deploy``: the function's ``CapacityProviderConfig``.

Every check that can be made without AWS is made before the first call, and names the
option at fault and the fix: settings that only mean something on a capacity provider
(``--max-concurrency``, ``--memory-per-vcpu``, ``AWS_LAMBDA_MAX_CONCURRENCY`` in ``--env``)
are refused without ``--capacity-provider``, and values outside the API's ranges are refused
before the API would. A capacity provider is chosen when a function is created and cannot be
added later, so adding one to an existing function is refused before any write.

Unqualified invocations of such a function run its ``$LATEST.PUBLISHED`` version, which the
API (unlike CloudFormation or the console) does not make: the deploy publishes it after
every change (PublishVersion with ``PublishTo: LATEST_PUBLISHED``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ._client import API, LambdaClient
from ._errors import DeployError

CAPACITY_PROVIDER_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d:\d{12}:"
    r"capacity-provider:[a-zA-Z0-9_-]+$"
)
MAX_CONCURRENCY = (1, 1600)  # PerExecutionEnvironmentMaxConcurrency
MEMORY_PER_VCPU = (2.0, 4.0, 8.0)  # ExecutionEnvironmentMemoryGiBPerVCpu: the supported ratios
RUNTIME_VARIABLE = "AWS_LAMBDA_MAX_CONCURRENCY"
_FIX = "add --capacity-provider arn:aws:lambda:<region>:<account>:capacity-provider:<name>"


def capacity_config(
    arn: str | None,
    max_concurrency: int | None,
    memory_per_vcpu: float | None,
    environment: Mapping[str, str],
) -> dict[str, Any] | None:
    """The ``CapacityProviderConfig`` to send, or None; raises DeployError before any call."""
    if arn is None:
        for given, option in (
            (max_concurrency, "--max-concurrency"),
            (memory_per_vcpu, "--memory-per-vcpu"),
        ):
            if given is not None:
                raise DeployError(
                    f"{option} needs a capacity provider (Lambda Managed Instances), and "
                    "none is given",
                    hint=f"{_FIX}, or drop {option}",
                )
        if RUNTIME_VARIABLE in environment:
            raise DeployError(
                f"--env {RUNTIME_VARIABLE} is set by Lambda on Managed Instances only; "
                "without a capacity provider the runtime would wait for invocations that "
                "never come at once",
                hint=f"{_FIX} --max-concurrency N instead of the variable",
            )
        return None
    if RUNTIME_VARIABLE in environment:
        raise DeployError(
            f"--env {RUNTIME_VARIABLE}: Lambda sets this variable from the capacity "
            "provider settings",
            hint=f"use --max-concurrency N instead of --env {RUNTIME_VARIABLE}",
        )
    if not CAPACITY_PROVIDER_ARN.match(arn):
        raise DeployError(
            f"--capacity-provider {arn!r} is not a capacity provider ARN",
            hint="expected arn:aws:lambda:<region>:<account>:capacity-provider:<name>",
        )
    inner: dict[str, Any] = {"CapacityProviderArn": arn}
    if max_concurrency is not None:
        low, high = MAX_CONCURRENCY
        if not low <= max_concurrency <= high:
            raise DeployError(
                f"--max-concurrency {max_concurrency} is out of range: Lambda accepts "
                f"{low} to {high} concurrent invocations per execution environment"
            )
        inner["PerExecutionEnvironmentMaxConcurrency"] = max_concurrency
    if memory_per_vcpu is not None:
        if float(memory_per_vcpu) not in MEMORY_PER_VCPU:
            raise DeployError(
                f"--memory-per-vcpu {memory_per_vcpu:g} is not supported: Lambda accepts "
                "2, 4 or 8 GiB per vCPU"
            )
        inner["ExecutionEnvironmentMemoryGiBPerVCpu"] = float(memory_per_vcpu)
    return {"LambdaManagedInstancesCapacityProviderConfig": inner}


def check_existing(name: str, current: Mapping[str, Any], wanted: dict[str, Any] | None) -> None:
    """Refuse to add a capacity provider to a function created without one."""
    if wanted is not None and not current.get("CapacityProviderConfig"):
        raise DeployError(
            f"function {name} exists without a capacity provider, and one can only be "
            "chosen when a function is created",
            hint=f"deploy under a new name, or delete {name} first (deploy --delete)",
        )


def differs(current: Mapping[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether the fields we send differ from what the function has (fields we do not send,
    such as defaults Lambda filled in, are not compared)."""
    have = (current or {}).get("LambdaManagedInstancesCapacityProviderConfig") or {}
    inner = wanted["LambdaManagedInstancesCapacityProviderConfig"]
    return any(have.get(key) != value for key, value in inner.items())


def publish_latest(client: LambdaClient, name: str, log: Callable[[str], None]) -> None:
    """PublishVersion to ``$LATEST.PUBLISHED`` (republishing it is what the API expects)."""
    published = client._call(
        "POST",
        f"{API}/functions/{client._name(name)}/versions",
        body={"PublishTo": "LATEST_PUBLISHED"},
        operation=f"PublishVersion of {name}",
    ).json()
    log(f"function {name}: published {published.get('Version', '$LATEST.PUBLISHED')}")
