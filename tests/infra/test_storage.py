"""Buckets: private, KMS-encrypted with bucket keys, TLS only, logged, expiring what should expire."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match


def _buckets(synth):
    return synth.resources("AWS::S3::Bucket")


def _by_id(synth, prefix):
    (bucket,) = [b for k, b in _buckets(synth).items() if k.startswith(prefix)]
    return bucket["Properties"]


def test_six_private_buckets_retained_by_default(synth):
    buckets = _buckets(synth)
    assert len(buckets) == 6
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    assert not synth.resources("Custom::S3AutoDeleteObjects")


def test_lake_buckets_use_the_one_key_with_bucket_keys(synth):
    keys = synth.resources("AWS::KMS::Key")
    assert len(keys) == 1
    ((key_id, key),) = keys.items()
    assert key["Properties"]["EnableKeyRotation"] is True
    for name in ("StorageRaw", "StorageCleansed", "StorageTokenized", "StorageAthenaResults", "StorageArtifacts"):
        rule = _by_id(synth, name)["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["BucketKeyEnabled"] is True
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [key_id, "Arn"]}
        logging = _by_id(synth, name)["LoggingConfiguration"]
        assert logging["DestinationBucketName"]["Ref"].startswith("StorageAccessLogs")


def test_every_bucket_refuses_plain_http(synth):
    policies = synth.resources("AWS::S3::BucketPolicy")
    denied = set()
    for policy in policies.values():
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            if st["Effect"] == "Deny" and st.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                denied.add(policy["Properties"]["Bucket"]["Ref"])
    assert denied == set(_buckets(synth))


def test_only_raw_is_versioned_and_lifecycles_expire(synth):
    versioned = {k for k, b in _buckets(synth).items() if b["Properties"].get("VersioningConfiguration")}
    assert len(versioned) == 1 and next(iter(versioned)).startswith("StorageRaw")
    for bucket in _buckets(synth).values():
        rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert any(r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") for r in rules)
    raw_rules = _by_id(synth, "StorageRaw")["LifecycleConfiguration"]["Rules"]
    assert any(r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") for r in raw_rules)
    results = _by_id(synth, "StorageAthenaResults")["LifecycleConfiguration"]["Rules"]
    assert any(r.get("ExpirationInDays") for r in results)


def test_key_lets_cloudwatch_logs_encrypt_only_this_accounts_groups(synth):
    synth.template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Principal": {"Service": Match.any_value()},
                                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": Match.any_value()}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_destroy_mode_deletes_buckets_and_their_objects():
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from cafelake_infra.storage import Storage

    stack = cdk.Stack(cdk.App())
    Storage(stack, "Storage", retain=False)
    raw = Template.from_stack(stack).to_json()["Resources"]
    buckets = [r for r in raw.values() if r["Type"] == "AWS::S3::Bucket"]
    assert buckets and all(b["DeletionPolicy"] == "Delete" for b in buckets)
    assert len([r for r in raw.values() if r["Type"] == "Custom::S3AutoDeleteObjects"]) == len(buckets)


def test_services_in_the_key_policy_act_only_for_this_account(synth):
    """Every AWS service principal the key policy names either carries aws:SourceAccount = this account or
    is bound to this account's resources by a condition (CloudWatch Logs: the log-group ARN; Secrets
    Manager goes through kms:ViaService for principals of this account). CloudWatch alarms are one of
    them; EventBridge publishes through a role and is not there at all."""
    (key,) = synth.resources("AWS::KMS::Key").values()
    services = []
    for st in key["Properties"]["KeyPolicy"]["Statement"]:
        principal = st["Principal"].get("Service")
        if principal is None:
            continue
        names = principal if isinstance(principal, list) else [principal]
        services += names
        condition = st.get("Condition", {})
        bound = condition.get("StringEquals", {}).get("aws:SourceAccount") == {
            "Ref": "AWS::AccountId"
        } or "kms:EncryptionContext:aws:logs:arn" in condition.get("ArnLike", {})
        assert bound, st
    assert "cloudwatch.amazonaws.com" in services and "events.amazonaws.com" not in services
    text = json.dumps(synth.raw["Resources"])
    assert text.count("events.amazonaws.com") == 1  # only where the EventBridge role trusts the service
