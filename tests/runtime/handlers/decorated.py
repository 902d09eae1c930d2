"""Decorated handlers: the event type is read through the ``__wrapped__`` chain."""

from __future__ import annotations

from decorators import calls, inject_lambda_context, logged, opaque
from fns import Batch, Out

from native_lambda import Context


def _total(batch: Batch) -> Out:
    return Out(total=sum(i.count for i in batch.items), names=[i.name for i in batch.items])


@logged
def wrapped(event: Batch, context: Context) -> Out:
    return _total(event)


@inject_lambda_context(log_event=True)
@logged
def stacked(evt: Batch, ctx: Context) -> dict:
    return {"out": _total(evt), "calls": calls[-2:]}


class Service:
    @logged
    def method(self, event: Batch, context: Context) -> Out:
        return _total(event)


bound = Service().method


@opaque
def hidden(event: Batch, context: Context) -> dict:
    return {"type": type(event).__name__}
