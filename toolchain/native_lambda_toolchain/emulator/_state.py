"""The runtime's states in one sandbox, and every allowed transition in one table.

Names follow Lambda's Runtime API server (RAPID), whose words appear in the
``InvalidStateTransition`` errors a runtime gets for a call out of order.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional


class State(Enum):
    STARTED = "Started"  # spawned, initialising; extensions may register
    READY = "Ready"  # waiting in /next
    RUNNING = "Running"  # an invocation is out
    RESPONSE_SENT = "RuntimeResponseSentState"  # answered; the next /next ends it
    INIT_ERROR = "InitError"  # the runtime reported an init failure


#: (state, what happened) -> the state after it. Anything not listed is refused.
TRANSITIONS: dict[tuple[State, str], State] = {
    (State.STARTED, "next"): State.READY,  # init done
    (State.READY, "next"): State.READY,  # a re-poll after the connection dropped
    (State.RESPONSE_SENT, "next"): State.READY,
    (State.READY, "invoke"): State.RUNNING,
    (State.RUNNING, "response"): State.RESPONSE_SENT,
    (State.RUNNING, "error"): State.RESPONSE_SENT,
    (State.STARTED, "init_error"): State.INIT_ERROR,
}


def next_state(current: State, event: str) -> Optional[State]:
    """The state ``event`` leads to from ``current``, or None when it is not allowed."""
    return TRANSITIONS.get((current, event))
