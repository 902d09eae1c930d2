"""One HTTP model over every front door, and a small router.

API Gateway REST APIs (payload 1.0), HTTP APIs (2.0), Lambda Function URLs and ALB target
groups each send a different event and want a different answer. :class:`Request` and
:class:`Response` hide that: a :class:`Router` takes the raw event (a dict, bytes or
``msgspec.Raw``), detects where it came from, decodes it strictly into that source's
Struct, calls the matching route and answers in the source's response shape (ALB's
``statusDescription``, multi-value headers when the request used them, cookies as v2
``cookies`` or ``Set-Cookie`` headers, base64 bodies both ways)::

    app = Router()

    @app.get("/items/{id}")
    def get_item(request: Request, id: str) -> dict:
        return {"id": id}

    handler = app  # python -m native_lambda module.handler

Modules: ``request`` (:class:`Request`, :class:`Headers`, :class:`MultiDict`),
``response`` (:class:`Response`, :class:`HTTPError`), ``router`` (:class:`Router`) and
``_front_doors``, one record per source owning its Struct, request builder and response
encoder. Each source's event Struct module is imported the first time that source is seen.
"""

from ._front_doors import ALB, API_GATEWAY_V1, API_GATEWAY_V2, FUNCTION_URL, detect_source
from .request import Headers, MultiDict, Request
from .response import HTTPError, Response, StreamingResponse
from .router import Router

__all__ = [
    "ALB",
    "API_GATEWAY_V1",
    "API_GATEWAY_V2",
    "FUNCTION_URL",
    "HTTPError",
    "Headers",
    "MultiDict",
    "Request",
    "Response",
    "Router",
    "StreamingResponse",
    "detect_source",
]
