"""The alert function: its handler, its environment, and a role that can read the query's result, keep the
alert ledger and publish to the topic, and nothing more."""

from __future__ import annotations

from infra_helpers import policy_statements

from cafelake.alerts.notify import LEDGER_PREFIX


def _text(value) -> str:
    """A resource as text: '<LogicalId>/results/*' for a GetAtt joined to a path, '<LogicalId>' for a Ref."""
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(_text(p) for p in value["Fn::Join"][1])
    if isinstance(value, dict):
        ref = value.get("Ref") or value["Fn::GetAtt"][0]
        return f"<{ref}>"
    return value


def test_the_alert_function_runs_the_handler_with_the_ledgers_zone(synth):
    (fn,) = [
        f
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "send_alerts.handler"
    ]
    env = fn["Properties"]["Environment"]["Variables"]
    assert list(env) == ["CAFELAKE_TOKENIZED_URI"] and _text(env["CAFELAKE_TOKENIZED_URI"]).startswith("s3://")
    assert fn["Properties"]["Architectures"] == ["arm64"]


def test_the_alert_role_reads_results_keeps_the_ledger_and_publishes(synth):
    statements = policy_statements(synth, "OrchestrationAlertsRole")
    granted = {}
    for st in statements:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for a in actions:
            granted.setdefault(a, set()).update(_text(r) for r in resources)
    assert not any("Delete" in a or (a.endswith("*") and a.startswith(("s3", "sns"))) for a in granted), granted
    (ledger,) = granted["s3:PutObject"]
    assert ledger.startswith("<StorageTokenized") and ledger.endswith(f">/{LEDGER_PREFIX}/*")
    (results,) = granted["s3:GetObject"] - {ledger}
    assert results.startswith("<StorageAthenaResults") and results.endswith(">/results/*")
    (topic,) = granted["sns:Publish"]
    assert topic.startswith("<OrchestrationAlarms")
    assert {a.split(":")[0] for a in granted} == {"logs", "s3", "kms", "sns"}
