"""Member cookies: parsed from every place they live, never printed."""

from __future__ import annotations

import logging

import boto3
import pytest
from moto import mock_aws

from cafelake.sources.naver_cafe.session import ENV_VAR, MemberCookies, load_cookies

SECRETS = {"NID_AUT": "aut-value-123", "NID_SES": "ses-value-456"}


@pytest.mark.parametrize(
    "text",
    [
        '{"NID_AUT": "aut-value-123", "NID_SES": "ses-value-456"}',
        "NID_AUT=aut-value-123; NID_SES=ses-value-456",
        "NID_AUT=aut-value-123;NID_SES=ses-value-456;",
    ],
)
def test_parse_forms(text):
    assert dict(MemberCookies.parse(text)) == SECRETS


def test_values_are_redacted_everywhere(caplog):
    cookies = MemberCookies(SECRETS)
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("cookies %s %r", cookies, cookies)
    shown = repr(cookies) + str(cookies) + f"{cookies}" + caplog.text
    assert "NID_AUT" in shown and "***" in shown
    assert not any(v in shown for v in SECRETS.values())


@pytest.mark.parametrize("text", ["NID_AUT", '{"NID_AUT": "aut-value-123"', "[1, 2]"])
def test_bad_input_errors_without_leaking(text):
    with pytest.raises(ValueError) as err:
        MemberCookies.parse(text)
    assert "aut-value-123" not in str(err.value)


def test_load_from_file_and_env(tmp_path):
    path = tmp_path / "cookies.txt"
    path.write_text("NID_AUT=aut-value-123; NID_SES=ses-value-456")
    assert dict(load_cookies(file=path)) == SECRETS
    assert dict(load_cookies(environ={ENV_VAR: '{"NID_AUT": "aut-value-123", "NID_SES": "ses-value-456"}'})) == SECRETS
    assert load_cookies(environ={}) is None
    path.write_text("{}")  # the deployed secret's default: no member session
    assert load_cookies(file=path) is None


@mock_aws
def test_load_from_secrets_manager():
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    arn = sm.create_secret(
        Name="cafelake/naver-cookies", SecretString='{"NID_AUT": "aut-value-123", "NID_SES": "ses-value-456"}'
    )["ARN"]
    assert dict(load_cookies(secret_id=arn)) == SECRETS
    assert dict(load_cookies(secret_id="cafelake/naver-cookies")) == SECRETS
