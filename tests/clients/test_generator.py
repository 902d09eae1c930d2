"""The generator: shipped modules up to date, deterministic and formatted output, minimal
models, botocore's method names, clear errors for bad sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import botocore
import pytest

from native_lambda_toolchain.cli import main
from native_lambda_toolchain.clients import SHIPPED, generate
from native_lambda_toolchain.clients._names import method_name

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_DIR = ROOT / "src" / "native_lambda" / "aws" / "clients"
RUFF = str(Path(sys.executable).with_name("ruff"))  # the test extra pins it

MINIMAL = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "tiny",
        "jsonVersion": "1.1",
        "protocol": "json",
        "serviceId": "Tiny",
        "signatureVersion": "v4",
        "targetPrefix": "Tiny_20200101",
    },
    "operations": {
        "GetThing": {
            "name": "GetThing",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "GetThingInput"},
            "output": {"shape": "GetThingOutput"},
            "errors": [{"shape": "NotFound"}],
            "documentation": "<p>dropped</p>",
        }
    },
    "shapes": {
        "GetThingInput": {
            "type": "structure",
            "required": ["Name"],
            "members": {"Name": {"shape": "String"}},
        },
        "GetThingOutput": {
            "type": "structure",
            "members": {"When": {"shape": "Stamp"}, "Data": {"shape": "Blob"}},
        },
        "NotFound": {"type": "structure", "members": {}, "exception": True},
        "String": {"type": "string"},
        "Stamp": {"type": "timestamp"},
        "Blob": {"type": "blob"},
    },
}


def test_shipped_clients_are_up_to_date(tmp_path: Path) -> None:
    """Regenerated from the pinned botocore, every shipped module is byte for byte the same
    (fails when the model, the generator or botocore changed without regenerating)."""
    stale = []
    for service, module in sorted(SHIPPED.items()):
        _, text = generate(service, module)
        if (SHIPPED_DIR / f"{module}.py").read_text(encoding="utf-8") != text:
            stale.append(module)
    assert not stale, (
        f"regenerate {stale} with `native-lambda clients generate SERVICE --out "
        f"src/native_lambda/aws/clients` (botocore {botocore.__version__})"
    )


def test_output_is_deterministic_formatted_and_marked(tmp_path: Path) -> None:
    first = generate("sqs")[1]
    assert generate("sqs")[1] == first
    assert f"botocore {botocore.__version__}" in first.splitlines()[0]
    assert "Do not edit" in first
    path = tmp_path / "sqs.py"
    path.write_text(first)
    if not Path(RUFF).exists():
        pytest.skip("ruff is not installed") if not _ci() else pytest.fail("ruff missing")
    done = subprocess.run([RUFF, "format", "--check", "--diff", str(path)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode()[:2000]


def _ci() -> bool:
    import os

    return os.environ.get("CI") == "true"


def test_a_minimal_model_by_path_through_the_cli(tmp_path: Path, capsys) -> None:
    model = tmp_path / "service-2.json"
    model.write_text(json.dumps(MINIMAL))
    out = tmp_path / "out"
    assert main(["clients", "generate", str(model), "--out", str(out), "--name", "tiny"]) == 0
    text = (out / "tiny.py").read_text()
    assert "dropped" not in text
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tiny;"
        "c = tiny.Client(region_name='eu-west-1', aws_access_key_id='a',"
        " aws_secret_access_key='b');"
        "print(c.get_thing.__name__, tiny.exceptions.NotFound.code, c.endpoint_url)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["get_thing", "NotFound", "https://tiny.eu-west-1.amazonaws.com"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("no-such-service", "neither a model file nor a service"),
        ("./missing/service-2.json", "no such model file"),
    ],
)
def test_bad_sources_are_one_line_errors(source: str, message: str, capsys, tmp_path) -> None:
    assert main(["clients", "generate", source, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("native-lambda: error: ") and message in err


def test_a_file_that_is_not_a_model(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"metadata": {}}')
    assert main(["clients", "generate", str(bad), "--out", str(tmp_path)]) == 1
    assert "not a botocore service model" in capsys.readouterr().err


def test_method_names_are_botocores_for_every_operation_of_every_service() -> None:
    from botocore import xform_name
    from botocore.session import get_session

    loader = get_session().get_component("data_loader")
    wrong = []
    for service in loader.list_available_services("service-2"):
        for op in loader.load_service_model(service, "service-2")["operations"]:
            if method_name(op) != xform_name(op):
                wrong.append((service, op, method_name(op), xform_name(op)))
    assert not wrong, wrong[:10]
