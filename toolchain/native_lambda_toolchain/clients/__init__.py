"""Client generator: botocore models in, one importable Python module per service out.

Host side only. ``generate(source)`` is what ``native-lambda clients generate`` runs; the
modules it writes import only ``native_lambda.aws.protocols`` at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

__all__ = ["SHIPPED", "generate", "module_name", "write"]

#: The clients shipped in ``native_lambda.aws.clients``: botocore service -> module name.
SHIPPED = {
    "cloudwatch": "cloudwatch",
    "dynamodb": "dynamodb",
    "events": "events",
    "kinesis": "kinesis",
    "lambda": "lambda_",
    "logs": "logs",
    "s3": "s3",
    "secretsmanager": "secretsmanager",
    "sns": "sns",
    "sqs": "sqs",
    "ssm": "ssm",
    "sts": "sts",
}


def module_name(source: str, endpoint_prefix: str) -> str:
    """The default module name: the service name (``lambda_`` for ``lambda``)."""
    import keyword

    base = Path(source).name if Path(source).exists() else source
    if base.startswith("service-2"):
        base = endpoint_prefix
    name = "".join(c if c.isalnum() else "_" for c in base.lower())
    if not name or name[0].isdigit():
        name = "m_" + name
    return name + "_" if keyword.iskeyword(name) else name


def generate(source: str, name: Optional[str] = None) -> Tuple[str, str]:
    """(module name, module text) for a service name or model path."""
    from ._model import load
    from ._render import render

    model, version = load(source)
    label = source if version else Path(model.source).name
    text = render(model, version or "(unknown: model given by path)", label)
    return name or module_name(source, model.metadata["endpointPrefix"]), text


def write(source: str, out: Path, name: Optional[str] = None) -> Path:
    """Generate and write ``out/<name>.py`` atomically; returns the path written."""
    from ..errors import ToolchainError

    module, text = generate(source, name)
    if not module.isidentifier():
        raise ToolchainError(f"--name {module!r} is not a Python module name")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{module}.py"
    tmp = target.with_name(f".{module}.py.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
