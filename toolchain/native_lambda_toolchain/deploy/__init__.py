"""Deploy to AWS Lambda and invoke: a Lambda API client on httpx with our own SigV4."""

from ._client import InvokeOutput, LambdaClient
from ._deploy import DeployResult, DeploySpec, deploy, ensure_layer
from ._endpoint import LOCAL_ENDPOINT, is_custom_endpoint, resolve_endpoint
from ._errors import DeployError, LambdaApiError
from ._retry import RetryPolicy

__all__ = [
    "LOCAL_ENDPOINT",
    "DeployError",
    "DeployResult",
    "DeploySpec",
    "InvokeOutput",
    "LambdaApiError",
    "LambdaClient",
    "RetryPolicy",
    "deploy",
    "ensure_layer",
    "is_custom_endpoint",
    "resolve_endpoint",
]
