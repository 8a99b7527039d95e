"""A custom resource created as a deploy creates it: CloudFormation's request to the resource's
ServiceToken, answered by the CDK Provider framework, which runs the resource's own handler.

CloudFormation sends the function named by `ServiceToken` a Create request (`RequestType`,
`ResponseURL`, `StackId`, `RequestId`, `ResourceType`, `LogicalResourceId`, `ResourceProperties`
with the ServiceToken in them) and waits for the answer at `ResponseURL`. The template's
ServiceToken is the Provider framework's onEvent function (`framework.onEvent`, Node.js, an asset
of aws-cdk-lib); as its `framework.js` reads, it invokes the user's function
(`USER_ON_EVENT_FUNCTION_ARN`) synchronously with the request, then answers SUCCESS with the user's
`PhysicalResourceId` (the request id when there is none) and `Data`, or FAILED with the user
function's `errorMessage` when it raised; with an isComplete function it would start a waiter
state machine instead.

Stood in for: the framework's own function. It imports the AWS SDK for JavaScript v3
(`@aws-sdk/client-lambda`, `@aws-sdk/client-sfn`), which the Node.js runtime provides and this
machine does not have, and it answers on a pre-signed HTTPS S3 URL. `ProviderFramework` does what
its onEvent does, step for step, and invokes the user's function through Lambda's Invoke API, so
the user's function (ours: `lambdas/deploy_views`) runs as the rehearsal runs every Lambda
(`lambda_runtime`: its asset, a clean Python, the template's environment). A provider with an
isComplete function is refused: the template's has none.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .intrinsics import Resolver

FRAMEWORK_HANDLER = "framework.onEvent"
USER_ON_EVENT = "USER_ON_EVENT_FUNCTION_ARN"
USER_IS_COMPLETE = "USER_IS_COMPLETE_FUNCTION_ARN"


class CustomResourceFailed(RuntimeError):
    """The provider answered FAILED: CloudFormation fails the resource, and the deploy rolls back."""


@dataclass(frozen=True)
class Response:
    """What the provider sent to the ResponseURL."""

    status: str  # SUCCESS | FAILED
    physical_id: str
    data: dict[str, str]
    reason: str
    request: dict
    answered_at: datetime  # when CloudFormation got the answer (UTC)


def create_request(resolver: Resolver, lid: str, rtype: str, properties: dict, *, request_id: str) -> dict:
    """The Create request CloudFormation sends a custom resource's ServiceToken."""
    return {
        "RequestType": "Create",
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": f"https://cloudformation-custom-resource-response-{resolver.region}.s3.amazonaws.com/"
        f"rehearsal/{request_id}",
        "StackId": resolver.stack_id,
        "RequestId": request_id,
        "LogicalResourceId": lid,
        "ResourceType": rtype,
        "ResourceProperties": properties,
    }


@dataclass
class ProviderFramework:
    """The Provider framework's onEvent, over Lambda's Invoke API of the rehearsal's account."""

    resolver: Resolver
    lambda_client: Any
    responses: list[Response] = field(default_factory=list)

    def framework_environment(self, service_token: str) -> dict[str, str]:
        """The environment of the framework function the ServiceToken names (refusing anything else)."""
        for lid in self.resolver.of_type("AWS::Lambda::Function"):
            if self.resolver.get_att(lid, "Arn") != service_token:
                continue
            props = self.resolver.resolve(self.resolver.resources[lid]["Properties"])
            env = props.get("Environment", {}).get("Variables", {})
            if props.get("Handler") != FRAMEWORK_HANDLER or USER_ON_EVENT not in env:
                raise NotImplementedError(
                    f"the ServiceToken {service_token} is not the CDK Provider framework's onEvent: not rehearsed"
                )
            if USER_IS_COMPLETE in env:
                raise NotImplementedError("a provider with an isComplete function (a waiter) is not rehearsed")
            return env
        raise LookupError(f"no function of the template has the ARN {service_token}")

    def create(self, lid: str, rtype: str, properties: dict) -> tuple[str, dict[str, str]]:
        """CloudFormation creating the resource: (physical id, Data), or CustomResourceFailed."""
        request = create_request(self.resolver, lid, rtype, properties, request_id=str(uuid.uuid4()))
        env = self.framework_environment(properties["ServiceToken"])
        got = self.lambda_client.invoke(FunctionName=env[USER_ON_EVENT], Payload=json.dumps(request).encode())
        payload = json.loads(got["Payload"].read() or b"null")
        now = datetime.now(UTC)
        if got.get("FunctionError"):
            message = (payload or {}).get("errorMessage", "error")
            response = Response("FAILED", request["RequestId"], {}, message, request, now)
        else:
            result = payload or {}
            response = Response(
                "SUCCESS",
                result.get("PhysicalResourceId") or request["RequestId"],
                {k: str(v) for k, v in (result.get("Data") or {}).items()},
                "SUCCESS",
                request,
                now,
            )
        self.responses.append(response)
        if response.status != "SUCCESS":
            raise CustomResourceFailed(f"{lid} ({rtype}): {response.reason}")
        return response.physical_id, response.data
