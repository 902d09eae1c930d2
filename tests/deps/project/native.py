"""Extension modules from wheels: orjson, numpy (OpenBLAS from numpy.libs), cryptography,
psycopg's binary libpq (psycopg_binary.libs); and a package shipped as bytecode."""

from __future__ import annotations

from typing import Any, Dict

import cryptography
import numpy as np
import orjson
import psycopg
import selfsource
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    values = np.array(event["values"], dtype=np.float64)
    matrix = np.array([[3.0, 1.0], [1.0, 2.0]])
    mac = hmac.HMAC(b"native-lambda", hashes.SHA256())
    mac.update(orjson.dumps(event, option=orjson.OPT_SORT_KEYS))
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return {
        "orjson": orjson.dumps({"b": [1, 2], "a": 1.5}, option=orjson.OPT_SORT_KEYS).decode(),
        "numpy": {
            "mean": float(values.mean()),
            "dot": float(values @ values),
            "solve": np.linalg.solve(matrix, np.array([9.0, 8.0])).round(6).tolist(),
            "version": np.__version__,
        },
        "cryptography": {
            "hmac": mac.finalize().hex(),
            "ed25519": key.sign(b"native-lambda").hex(),
            "version": cryptography.__version__,
        },
        "psycopg": {
            "impl": psycopg.pq.__impl__,
            "libpq": psycopg.pq.version(),
            "version": psycopg.__version__,
        },
        "selfsource": selfsource.describe(),
    }
