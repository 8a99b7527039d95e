"""`cafelake aws smoke`: after `cdk deploy`, run one board through the deployed pipeline and report each step.

It starts an execution of the stack's state machine with the input the board's schedule sends
(`{"board": NAME, "backfill": false}`), follows its history (GetExecutionHistory) and prints each
state as it is entered and left, with its time, and any failure with its error and cause. Exit
code: 0 if the execution succeeded, 1 if it failed, timed out or was aborted, 3 if it is still
running when the wait ends (it goes on; the ARN is printed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import typer

from cafelake.commands._common import console

app = typer.Typer(no_args_is_help=True)

STACK = "CafeLake"
STATE_MACHINE_OUTPUT = "StateMachineArn"
STILL_RUNNING = 3
_TERMINAL = {"SUCCEEDED": 0, "FAILED": 1, "TIMED_OUT": 1, "ABORTED": 1}


@dataclass(frozen=True)
class Step:
    """One line of the report: a state entered or left, or a failure."""

    event_id: int
    at: datetime
    text: str
    failed: bool = False


def steps(events: Iterable[dict], started: datetime) -> list[Step]:
    """The report's lines for a stretch of execution history (events in id order)."""
    out = []
    for e in events:
        kind, at = e["type"], e["timestamp"]
        seconds = (at - started).total_seconds()
        if kind.endswith("StateEntered"):
            out.append(Step(e["id"], at, f"{seconds:7.1f}s  > {e['stateEnteredEventDetails']['name']}"))
        elif kind.endswith("StateExited") and kind != "ExecutionSucceeded":
            out.append(Step(e["id"], at, f"{seconds:7.1f}s  < {e['stateExitedEventDetails']['name']}"))
        elif kind.endswith("Failed") or kind.endswith("TimedOut") or kind == "ExecutionAborted":
            details = next((v for k, v in e.items() if k.endswith("EventDetails")), {})
            cause = str(details.get("cause", ""))
            out.append(
                Step(
                    e["id"],
                    at,
                    f"{seconds:7.1f}s  ! {kind}: {details.get('error', '')} {cause[:500]}".rstrip(),
                    failed=True,
                )
            )
    return out


def state_machine_arn(cloudformation: Any, stack: str) -> str:
    """The stack's StateMachineArn output."""
    (desc,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    for output in desc.get("Outputs", []):
        if output["OutputKey"] == STATE_MACHINE_OUTPUT:
            return output["OutputValue"]
    raise LookupError(f"stack {stack} has no {STATE_MACHINE_OUTPUT} output: is it the cafelake stack?")


def _history(sfn: Any, execution_arn: str) -> list[dict]:
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    return [e for page in pages for e in page["events"]]


def follow(
    sfn: Any,
    execution_arn: str,
    *,
    timeout: float,
    poll: float,
    report: Callable[[Step], None],
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Report the execution's steps until it ends or `timeout` passes; its status."""
    deadline = time.monotonic() + timeout
    seen = 0
    started = sfn.describe_execution(executionArn=execution_arn)["startDate"]
    while True:
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        for step in steps([e for e in _history(sfn, execution_arn) if e["id"] > seen], started):
            report(step)
            seen = step.event_id
        if status in _TERMINAL or time.monotonic() >= deadline:
            return status
        sleep(poll)


@app.command()
def smoke(
    board: Annotated[str, typer.Option("--board", help="A board of cdk.json (cafelake:boards).")],
    arn: Annotated[
        str | None, typer.Option("--state-machine-arn", help="Default: the stack's StateMachineArn output.")
    ] = None,
    stack: Annotated[str, typer.Option("--stack", help="The deployed stack.")] = STACK,
    backfill: Annotated[bool, typer.Option("--backfill", help="Walk the whole board (a first run).")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to follow the execution.")] = 3600,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between looks at its history.")] = 10,
) -> None:
    """Run one board through the deployed pipeline and report each step; exit 0 only if it succeeded."""
    import boto3

    sfn = boto3.client("stepfunctions")
    arn = arn or state_machine_arn(boto3.client("cloudformation"), stack)
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"board": board, "backfill": backfill}))
    console.print(f"execution {execution['executionArn']}")
    status = follow(
        sfn,
        execution["executionArn"],
        timeout=timeout,
        poll=poll,
        report=lambda s: console.print(s.text, style="red" if s.failed else None, markup=False, highlight=False),
    )
    if status not in _TERMINAL:
        console.print(f"still {status} after {timeout:.0f} s; follow it in the Step Functions console")
        raise typer.Exit(STILL_RUNNING)
    console.print(f"{status}", style="green" if status == "SUCCEEDED" else "red")
    raise typer.Exit(_TERMINAL[status])
