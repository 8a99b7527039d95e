"""Physical names for the resources CloudFormation cannot name itself (Athena workgroup, Glue security
configuration), made so that a redeploy never meets a name that already exists.

`per_stack` ends with the first block of the stack's own id, so it stays fixed for the stack's life
and is new for a new stack (a redeploy after `cdk destroy`, even if something of the old stack was
kept). `fingerprint` changes with a resource's synthesized properties, for a resource whose every
property change is a replacement: CloudFormation creates the replacement before deleting the old one,
which a fixed name would forbid.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_cdk import Fn, Stack
from constructs import IConstruct


def per_stack(scope: IConstruct, *parts: str) -> str:
    """`<stack name>-<parts>-<8 hex digits of the stack id>`, e.g. CafeLake-51af3dc0 (a token until deploy)."""
    stack = Stack.of(scope)
    stack_uuid = Fn.select(2, Fn.split("/", stack.stack_id))
    return Fn.join("-", [stack.stack_name, *parts, Fn.select(0, Fn.split("-", stack_uuid))])


def fingerprint(scope: IConstruct, properties: Any) -> str:
    """8 hex digits of the properties as synthesized (tokens resolved to their CloudFormation form)."""
    text = json.dumps(Stack.of(scope).resolve(properties), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
