"""The README's porting story ("AWS service clients": from boto3 in five lines) runs as
written against a moto server, in a fresh interpreter, and names the generated interface."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def porting_snippet() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n### AWS service clients\n")
    end = text.index("\n### ", start + 1)
    blocks = re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)
    assert blocks, "no python block under 'AWS service clients'"
    return blocks[0]


def test_the_snippet_is_five_lines() -> None:
    lines = porting_snippet().splitlines()
    assert len(lines) == 5, lines
    assert lines[0].startswith("# before: import boto3")


@pytest.mark.usefixtures("aws_env")
def test_the_snippet_runs_as_written_against_moto(tmp_path: Path) -> None:
    """A table named as in the snippet holds the item it reads; the snippet's own lines run
    unchanged, then a check that the item it wrote back is the one it read."""
    setup = (
        "from native_lambda.aws.clients import dynamodb\n"
        "dynamodb.Client().create_table(TableName='orders', BillingMode='PAY_PER_REQUEST',"
        " KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],"
        " AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}])\n"
        "dynamodb.Client().put_item(TableName='orders',"
        " Item={'pk': {'S': '1'}, 'total': {'N': '12.5'}})\n"
    )
    check = (
        "\nback = db.get_item(TableName='orders', Key={'pk': {'S': '1'}})['Item']\n"
        "assert back == {'pk': {'S': '1'}, 'total': {'N': '12.5'}}, back\n"
        "print('ok')\n"
    )
    script = tmp_path / "snippet.py"
    script.write_text(porting_snippet() + check)
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, timeout=60)
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
