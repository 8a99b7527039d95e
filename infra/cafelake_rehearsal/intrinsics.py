"""CloudFormation's intrinsic functions, resolved as a deploy in one account and region resolves them.

Every resource of the template gets the physical name CloudFormation would give it: its own
`Name`-like property when the template sets one (resolved, when it is built with functions: the
per-stack names join the stack name and a block of `AWS::StackId`), else
`<stack>-<logical id>-<suffix>` (a bucket's in lower case), with a suffix derived from the logical
id so a rehearsal is repeatable. The stack id is made as CloudFormation makes one (a UUID after
the stack's name), from a seed: a new seed is a new stack, as a redeploy after `cdk destroy` is.
`Ref` and `Fn::GetAtt` answer what the AWS resource type documents for them; a value only a
created resource knows (a secret's ARN, a key's id, a custom resource's physical id and data) is
recorded with `set()` when it is created. `creation_order()` is an order CloudFormation may create
the resources in: each after every resource it references or names in `DependsOn`.

Only the functions the synthesized template uses are implemented; any other raises, so an
unresolved value can never reach a resource silently.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")
PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::StackId", "AWS::URLSuffix")
CUSTOM = ("Custom::", "AWS::CloudFormation::CustomResource")  # a custom resource's type starts with one of these

# Type -> (the property naming the resource, what Ref returns: "name" or "arn").
_NAMED: dict[str, tuple[str | None, str]] = {
    "AWS::S3::Bucket": ("BucketName", "name"),
    "AWS::IAM::Role": ("RoleName", "name"),
    "AWS::Lambda::Function": ("FunctionName", "name"),
    "AWS::SNS::Topic": ("TopicName", "arn"),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", "arn"),
    "AWS::Glue::Job": ("Name", "name"),
    "AWS::Glue::Crawler": ("Name", "name"),
    "AWS::Glue::SecurityConfiguration": ("Name", "name"),
    "AWS::Athena::WorkGroup": ("Name", "name"),
    "AWS::Logs::LogGroup": ("LogGroupName", "name"),
    "AWS::SecretsManager::Secret": ("Name", "arn"),
    "AWS::Scheduler::Schedule": ("Name", "name"),
    "AWS::Events::Rule": ("Name", "name"),
}


class UnresolvedValue(ValueError):
    """A value the rehearsal cannot resolve as CloudFormation would."""


@dataclass
class Resolver:
    template: dict
    account: str
    region: str
    stack_name: str
    partition: str = "aws"
    seed: int = 0
    stack_id: str = field(init=False)
    _refs: dict[str, str] = field(default_factory=dict)
    _attrs: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(f"{self.stack_name}/{self.seed}".encode()).digest()
        stack_uuid = uuid.UUID(bytes=digest[:16], version=4)
        self.stack_id = (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/{stack_uuid}"
        )
        for lid in self.resources:
            self.plan(lid)

    @property
    def resources(self) -> dict[str, dict]:
        return self.template["Resources"]

    def of_type(self, rtype: str) -> dict[str, dict]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == rtype}

    # --- physical names ---------------------------------------------------------------
    def generated_name(self, lid: str, *, limit: int, lower: bool = False) -> str:
        """`<stack>-<logical id>-<suffix>`, cut to fit as CloudFormation does."""
        suffix = hashlib.sha256(f"{self.stack_name}/{lid}".encode()).hexdigest()[:12].upper()
        head = f"{self.stack_name}-{lid}"[: limit - len(suffix) - 1]
        name = f"{head}-{suffix}"
        return name.lower() if lower else name

    def plan(self, lid: str) -> None:
        """Name the resource (and its ARN) if its name can be known before it is created: always, unless the
        name is built from what another resource's creation records; `Provisioner` plans it again then."""
        if lid in self._refs:
            return
        rtype, props = self.resources[lid]["Type"], self.resources[lid].get("Properties", {})
        if rtype.startswith(CUSTOM):
            return  # its physical id is what its provider answers: set when it is created
        acct, region, part = self.account, self.region, self.partition
        prop, ref_kind = _NAMED.get(rtype, (None, "name"))
        given = props.get(prop) if prop else None
        if rtype == "AWS::Glue::Database":
            given = props["DatabaseInput"]["Name"]
        elif rtype == "AWS::Glue::Table":
            given = props["TableInput"]["Name"]
        if isinstance(given, dict):  # a name built with functions
            try:
                given = self.resolve(given)
            except UnresolvedValue:
                return
        name = given or self.generated_name(
            lid, limit=63 if rtype == "AWS::S3::Bucket" else 64, lower=rtype == "AWS::S3::Bucket"
        )
        arn = {
            "AWS::S3::Bucket": f"arn:{part}:s3:::{name}",
            "AWS::IAM::Role": f"arn:{part}:iam::{acct}:role/{name}",
            "AWS::Lambda::Function": f"arn:{part}:lambda:{region}:{acct}:function:{name}",
            "AWS::SNS::Topic": f"arn:{part}:sns:{region}:{acct}:{name}",
            "AWS::StepFunctions::StateMachine": f"arn:{part}:states:{region}:{acct}:stateMachine:{name}",
            "AWS::Logs::LogGroup": f"arn:{part}:logs:{region}:{acct}:log-group:{name}:*",
            "AWS::Athena::WorkGroup": f"arn:{part}:athena:{region}:{acct}:workgroup/{name}",
            "AWS::Events::Rule": f"arn:{part}:events:{region}:{acct}:rule/{name}",
            "AWS::Scheduler::Schedule": f"arn:{part}:scheduler:{region}:{acct}:schedule/default/{name}",
        }.get(rtype)
        if rtype == "AWS::SecretsManager::Secret":
            self._attrs[(lid, "Name")] = name
            return  # its ARN (with Secrets Manager's random suffix) is set when it is created
        if rtype == "AWS::KMS::Key":
            return  # its id and ARN are the service's: set when it is created
        self._refs[lid] = arn if ref_kind == "arn" and arn else name
        if arn:
            self._attrs[(lid, "Arn")] = arn
        for attr in ("Name", "TopicName", "FunctionName", "StateMachineName"):
            self._attrs.setdefault((lid, attr), name)
        if rtype == "AWS::S3::Bucket":
            self._attrs[(lid, "DomainName")] = f"{name}.s3.amazonaws.com"
            self._attrs[(lid, "RegionalDomainName")] = f"{name}.s3.{region}.amazonaws.com"
        if rtype == "AWS::IAM::Role":
            self._attrs[(lid, "RoleId")] = "AROA" + hashlib.sha256(name.encode()).hexdigest()[:16].upper()

    def set(self, lid: str, ref: str | None = None, **attrs: str) -> None:
        """Record what a created resource answers (its Ref, its attributes)."""
        if ref is not None:
            self._refs[lid] = ref
        for attr, value in attrs.items():
            self._attrs[(lid, attr)] = value

    def ref(self, lid: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": self.stack_id,
        }
        if lid in pseudo:
            return pseudo[lid]
        if lid in self._refs:
            return self._refs[lid]
        if lid in self.template.get("Parameters", {}):
            default = self.template["Parameters"][lid].get("Default")
            if default is None:
                raise UnresolvedValue(f"parameter {lid} has no default")
            return str(default)
        if lid in self.resources:
            raise UnresolvedValue(f"Ref {lid} ({self.resources[lid]['Type']}): not created yet")
        raise UnresolvedValue(f"Ref to unknown {lid!r}")

    def get_att(self, lid: str, attr: str) -> str:
        try:
            return self._attrs[(lid, attr)]
        except KeyError:
            raise UnresolvedValue(f"Fn::GetAtt {lid}.{attr}: unknown or not created yet") from None

    # --- order ------------------------------------------------------------------------
    def dependencies(self, lid: str) -> set[str]:
        """The resources this one references (Ref, Fn::GetAtt, Fn::Sub) or names in DependsOn."""
        res = self.resources[lid]
        depends = res.get("DependsOn", [])
        found = set([depends] if isinstance(depends, str) else depends)
        _references(res.get("Properties", {}), found)
        return {d for d in found if d in self.resources}

    def creation_order(self) -> list[str]:
        """Every resource after those it depends on, the first ready one in template order each time
        (CloudFormation creates the ready ones in parallel: this is one order it may take)."""
        waiting = {lid: self.dependencies(lid) for lid in self.resources}
        order: list[str] = []
        while waiting:
            ready = next((lid for lid, deps in waiting.items() if deps <= set(order)), None)
            if ready is None:
                raise UnresolvedValue(f"circular dependency among {sorted(waiting)}")
            order.append(ready)
            del waiting[ready]
        return order

    # --- values -----------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function replaced by what CloudFormation would give."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                lid, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(lid, attr)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(p) for p in self.resolve(parts))
            if key == "Fn::Sub":
                return self._sub(*(arg if isinstance(arg, list) else (arg, {})))
            if key == "Fn::Select":
                index, items = self.resolve(arg)
                return items[int(index)]
            if key == "Fn::Split":
                sep, text = arg
                return self.resolve(text).split(sep)
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvedValue(f"{key} is not used by the template's rehearsed resources")
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, text: str, variables: dict) -> str:
        values = {k: self.resolve(v) for k, v in variables.items()}

        def one(match: re.Match) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if "." in name:
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return _SUB.sub(one, text).replace("${!", "${")


def _references(value: Any, found: set[str]) -> None:
    if isinstance(value, list):
        for v in value:
            _references(v, found)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and arg not in PSEUDO:
            found.add(arg)
            return
        if key == "Fn::GetAtt":
            found.add(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
            return
        if key == "Fn::Sub":
            text, variables = arg if isinstance(arg, list) else (arg, {})
            found.update(n.split(".", 1)[0] for n in _SUB.findall(text) if n not in PSEUDO and n not in variables)
            _references(variables, found)
            return
    for v in value.values():
        _references(v, found)
