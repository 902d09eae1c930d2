"""Graceful shutdown: the internal extension is registered only when asked for, its
``event/next`` is parked before init completes, and SIGTERM runs the callbacks."""

from __future__ import annotations

import signal


def test_sigterm_runs_callbacks_and_exits_zero(serve) -> None:
    api = serve("graceful.handler")
    assert api.invoke("{}").json() == "ready"
    paths = [(r.method, r.path) for r in api.records]
    # Registration is answered before anything else is sent. The parked event/next and
    # the runtime's first /next travel on two connections, recorded by two server threads,
    # so their order in the records is not defined: compare them as a set.
    assert paths[0] == ("POST", "/2020-01-01/extension/register")
    assert set(paths[1:3]) == {
        ("GET", "/2020-01-01/extension/event/next"),
        ("GET", "/2018-06-01/runtime/invocation/next"),
    }
    register = api.records[0]
    assert register.headers["lambda-extension-name"] == "native-lambda-shutdown"
    assert register.body == b'{"events": []}'
    parked = next(r for r in api.records[1:3] if r.path.endswith("/event/next"))
    assert parked.headers["lambda-extension-identifier"]
    # The runtime waits in GET next; SIGTERM must interrupt it and run the hook.
    api.wait_for(lambda records: len(records) == 5)
    assert api.process is not None
    api.process.send_signal(signal.SIGTERM)
    assert api.wait_exit() == 0
    assert api.logs().splitlines() == ["shutdown hook ran"]


def test_no_extension_without_callbacks(serve) -> None:
    api = serve("fns.typed")
    api.invoke({"items": []})
    assert not [r for r in api.records if "extension" in r.path]
    assert api.process is not None
    api.process.send_signal(signal.SIGTERM)
    assert api.wait_exit() == -signal.SIGTERM  # default disposition: no hook installed
