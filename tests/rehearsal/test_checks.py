"""IAM read as IAM matches it: which S3 grants reach past the lake's buckets."""

from __future__ import annotations

from cafelake_rehearsal.checks import role_statements, s3_outside
from cafelake_rehearsal.intrinsics import Resolver

LAKE = ["raw-b", "cleansed-b"]


def test_grants_inside_the_lake_pass_and_the_rest_are_named():
    statements = [
        {"Action": ["s3:GetObject*", "s3:List*"], "Resource": ["arn:aws:s3:::raw-b", "arn:aws:s3:::raw-b/*"]},
        {"Action": "s3:PutObject", "Resource": "arn:aws:s3:::cleansed-b/results/x"},
        {"Action": ["glue:GetTable"], "Resource": "*"},  # not S3
        {"Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Action": "*", "Resource": "arn:aws:s3:::elsewhere/*"},
        {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::raw-bucket-of-someone-else/*"},
    ]
    assert s3_outside(statements, LAKE) == [
        "s3:GetObject,s3:ListBucket on *",
        "* on arn:aws:s3:::elsewhere/*",
        "s3:GetObject on arn:aws:s3:::raw-bucket-of-someone-else/*",
    ]


def test_a_roles_statements_are_its_inline_policies_and_the_policies_naming_it():
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": {
                                "Statement": [
                                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"}
                                ]
                            },
                        }
                    ]
                },
            },
            "Other": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Mine": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": [{"Ref": "Role"}],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:PutObject",
                                "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
                            },
                            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                        ]
                    },
                },
            },
            "Theirs": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": [{"Ref": "Other"}],
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
                },
            },
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}},
        }
    }
    got = role_statements(Resolver(template, account="1", region="r", stack_name="S"), "Role")
    assert [(s["Action"], s["Resource"]) for s in got] == [
        ("s3:GetObject", "arn:aws:s3:::a/*"),
        ("s3:PutObject", "arn:aws:s3:::b/*"),
    ]
