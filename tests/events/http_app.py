"""An HTTP API served the same way behind API Gateway (REST and HTTP APIs), a Function
URL or an ALB: ``python -m native_lambda tests.events.http_app.handler``."""

from typing import List, Optional

import msgspec

from native_lambda.events.http import HTTPError, Request, Response, Router


class NewItem(msgspec.Struct):
    name: str
    count: int = 1


class Item(msgspec.Struct):
    id: str
    name: str
    count: int
    tags: List[str]
    source: str
    session: Optional[str] = None


app = Router()
_ITEMS = {"1": Item(id="1", name="first", count=1, tags=[], source="seed")}


@app.get("/items/{id}")
def get_item(request: Request, id: str) -> Item:
    item = _ITEMS.get(id)
    if item is None:
        raise HTTPError(404, f"no item {id}")
    return item


@app.post("/items/{id}")
def put_item(request: Request, id: str) -> Response:
    new = request.json(NewItem)  # a bad body answers 400 naming the field
    item = Item(
        id=id,
        name=new.name,
        count=new.count,
        tags=request.query.get_all("tag"),
        source=request.source,
        session=request.cookies.get("session"),
    )
    headers = {"X-Tag": request.headers.get_all("x-tag")}
    return Response.json(item, status=201, headers=headers)


@app.delete("/items/{id}")
def delete_item(request: Request, id: str) -> None:
    _ITEMS.pop(id, None)  # None answers 204


@app.get("/health")
def health(request: Request) -> str:
    return "ok"


@app.get("/files/{path+}")
def download(request: Request, path: str) -> Response:
    body = path.encode() + b"\x00\xff"
    return Response(body, content_type="application/octet-stream")


@app.get("/login")
def login(request: Request) -> Response:
    return Response.text("hi", cookies=["session=s1; HttpOnly", "theme=dark"])


handler = app
