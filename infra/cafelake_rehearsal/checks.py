"""What the rehearsal reads from the template because moto does not evaluate it: IAM.

moto runs every call whatever the caller's role allows, so a role that may reach too much (or too
little) goes unnoticed in a run. This reads the state machine role's statements as IAM would
match them, resolved for the rehearsal's account: every S3 action must name only the lake's
buckets (the zones the jobs read and write) and the Athena results bucket, or objects in them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .intrinsics import Resolver


def role_statements(resolver: Resolver, role_lid: str) -> list[dict]:
    """The Allow statements of a role: its inline policies and the AWS::IAM::Policy resources naming it."""
    statements = []
    role = resolver.resources[role_lid].get("Properties", {})
    for policy in role.get("Policies", []):
        statements += policy["PolicyDocument"]["Statement"]
    for res in resolver.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_lid} in res["Properties"].get("Roles", []):
            statements += res["Properties"]["PolicyDocument"]["Statement"]
    return [resolver.resolve(s) for s in statements if s.get("Effect", "Allow") == "Allow"]


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def s3_outside(statements: Iterable[dict], buckets: Iterable[str]) -> list[str]:
    """'<actions> on <resource>' for each S3 grant reaching beyond these buckets and their objects."""
    allowed = [p for b in buckets for p in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
    out = []
    for st in statements:
        actions = [a for a in _listed(st.get("Action", [])) if a == "*" or a.lower().startswith("s3:")]
        if not actions:
            continue
        for resource in _listed(st.get("Resource", [])):
            inside = any(resource == p or (p.endswith("/*") and resource.startswith(p[:-1])) for p in allowed)
            if not inside:
                out.append(f"{','.join(actions)} on {resource}")
    return out


def state_machine_s3_outside(resolver: Resolver, lake_buckets: Iterable[str], results_bucket: str) -> list[str]:
    (sm,) = resolver.of_type("AWS::StepFunctions::StateMachine").values()
    role_lid = sm["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    return s3_outside(role_statements(resolver, role_lid), [*lake_buckets, results_bucket])
