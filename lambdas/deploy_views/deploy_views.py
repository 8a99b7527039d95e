"""Deploy-time custom resource (CDK Provider framework): run the pipeline's views-only execution and
return only when it has ended.

A deploy then waits for the views: what reads them (the QuickSight data sets) is created after
they exist, and a views execution that fails fails the deploy with its error instead of passing
unseen. Delete does nothing (the views go with the Glue database).

Resource properties: `StateMachineArn`; `Fingerprint` (of the views' SQL): a changed fingerprint
is a new physical id, so the views are created again exactly when their SQL changed.
Only boto3 (which the Lambda runtime provides) is needed.
"""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

POLL_S = 10
# Give up this long before the Lambda's own timeout, with a message, rather than be killed mid-wait.
MARGIN_S = 30


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["RequestType"] == "Delete":
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    props = event["ResourceProperties"]
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=props["StateMachineArn"], input=json.dumps({"viewsOnly": True}))[
        "executionArn"
    ]
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        if context.get_remaining_time_in_millis() < (POLL_S + MARGIN_S) * 1000:
            raise TimeoutError(
                f"the views execution {execution} is still running as the deploy's wait ends: "
                "see it in the Step Functions console, then deploy again"
            )
        time.sleep(POLL_S)
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(
            f"the views execution {execution} ended {described['status']}: "
            f"{described.get('error', '')} {described.get('cause', '')}".rstrip()
        )
    return {"PhysicalResourceId": f"views-{props['Fingerprint']}", "Data": {"ExecutionArn": execution}}
