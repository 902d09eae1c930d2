"""A REST API with third-party packages: Powertools' Logger and REST resolver, pydantic models.

Its dependencies are listed in a ``requirements.txt`` beside the project's pyproject (see
README "Writing a function": adding dependencies):

    aws-lambda-powertools[parser]
    pydantic>=2

``native-lambda build`` installs them for the target in its dependency stage, compiles them
in with the handler, and ``native-lambda run`` serves it. The test suite builds this module in
its shared dependency project (tests/deps/) and compares every answer with CPython's.
"""

from __future__ import annotations

from typing import Any, Dict

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, Field

logger = Logger(service="orders")
app = APIGatewayRestResolver(enable_validation=True)

PRICES_CENTS = {"apple": 30, "pear": 45, "plum": 25}


class Order(BaseModel):
    item: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=100)


class OrderCreated(BaseModel):
    item: str
    quantity: int
    total_cents: int


@app.post("/orders")
def create_order(order: Order) -> OrderCreated:
    price = PRICES_CENTS.get(order.item)
    if price is None:
        raise NotFoundError(f"no such item: {order.item}")
    logger.info("order priced", extra={"item": order.item, "quantity": order.quantity})
    return OrderCreated(
        item=order.item, quantity=order.quantity, total_cents=price * order.quantity
    )


@app.get("/prices/<item>")
def get_price(item: str) -> Dict[str, Any]:
    if item not in PRICES_CENTS:
        raise NotFoundError(f"no such item: {item}")
    return {"item": item, "cents": PRICES_CENTS[item]}


@logger.inject_lambda_context
def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    return app.resolve(event, context)
