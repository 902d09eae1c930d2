"""One HTTP handler behind any front door: API Gateway (REST or HTTP API), a Lambda
Function URL or an ALB target group.

Compile it with ``native-lambda build --handler examples.http_api.handler``.
"""

from typing import Dict, List

import msgspec

from native_lambda.events.http import HTTPError, Request, Response, Router


class NewTodo(msgspec.Struct):
    title: str
    done: bool = False


class Todo(msgspec.Struct):
    id: int
    title: str
    done: bool


app = Router()
_TODOS: Dict[int, Todo] = {}


def _find(id: str) -> Todo:
    todo = _TODOS.get(int(id)) if id.isdigit() else None
    if todo is None:
        raise HTTPError(404, f"no todo {id}")
    return todo


@app.get("/todos")
def list_todos(request: Request) -> List[Todo]:
    done = request.query.get("done")  # ?done=true
    return [t for t in _TODOS.values() if done is None or t.done == (done == "true")]


@app.post("/todos")
def create_todo(request: Request) -> Response:
    new = request.json(NewTodo)  # a body that does not fit answers 400 naming the field
    todo = Todo(id=len(_TODOS) + 1, title=new.title, done=new.done)
    _TODOS[todo.id] = todo
    return Response.json(todo, status=201, headers={"Location": f"/todos/{todo.id}"})


@app.get("/todos/{id}")
def get_todo(request: Request, id: str) -> Todo:
    return _find(id)


@app.delete("/todos/{id}")
def delete_todo(request: Request, id: str) -> None:
    del _TODOS[_find(id).id]  # None answers 204 No Content


handler = app
