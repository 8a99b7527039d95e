"""Context validation: a bad cdk.json value stops synth with a message naming the key."""

from __future__ import annotations

import pytest
from infra_helpers import BOARDS, cdk_context


def settings(**overrides):
    import aws_cdk as cdk

    from cafelake_infra.settings import Settings

    return Settings.from_context(cdk.App(context=cdk_context(**overrides)).node)


def test_committed_context_is_valid():
    s = settings()
    assert s.retain_data is True  # data is retained unless a deployer says otherwise
    assert s.quicksight is False
    assert s.scraper_reserved_concurrency is None  # opt-in: a reservation fails on a 10-concurrency account
    assert s.quicksight_service_role == "aws-quicksight-service-role-v0"  # the role QuickSight creates
    assert [b.name for b in s.boards] == ["baby-health"]
    assert s.boards[0].timezone == "Asia/Seoul" and s.boards[0].source == "naver_cafe"  # the registry default


def test_command_line_strings_are_parsed():
    import json

    s = settings(
        **{
            "cafelake:retainData": "false",
            "cafelake:boards": json.dumps(BOARDS),
            "cafelake:glueWorkers": "3",
            "cafelake:scraperReservedConcurrency": "2",
        }
    )
    assert s.retain_data is False and s.glue_workers == 3 and s.scraper_reserved_concurrency == 2
    assert [b.ident for b in s.boards] == ["BabyHealth", "ToddlerFood"]


def test_dashboard_viewers_come_as_a_list_or_as_one_comma_separated_string():
    group = "arn:aws:quicksight:ap-northeast-2:123456789012:group/default/parents-app-team"
    user = "arn:aws:quicksight:ap-northeast-2:123456789012:user/default/pm@example.com"
    assert settings().quicksight_viewer_arns == ()
    assert settings(**{"cafelake:quicksightViewerArns": [group, user]}).quicksight_viewer_arns == (group, user)
    assert settings(**{"cafelake:quicksightViewerArns": f"{group}, {user}"}).quicksight_viewer_arns == (group, user)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"cafelake:boards": []}, "at least one board"),
        ({"cafelake:boards": [BOARDS[0], BOARDS[0]]}, "duplicate board names"),
        ({"cafelake:boards": [BOARDS[0], {**BOARDS[0], "name": "again"}]}, "same source, club_id and menu_id"),
        ({"cafelake:boards": [{**BOARDS[0], "schedule": "every hour"}]}, "cron(...) or rate(...)"),
        ({"cafelake:boards": [{**BOARDS[0], "club_id": "abc"}]}, "numeric ids"),
        ({"cafelake:boards": [{"name": "x"}]}, "lacks"),
        ({"cafelake:boards": [{**BOARDS[0], "name": "Baby Health"}]}, "lower-case"),
        ({"cafelake:boards": [{**BOARDS[0], "source": "nowhere"}]}, "no source 'nowhere'"),
        ({"cafelake:boards": [{**BOARDS[0], "source": "csv_import"}]}, "cannot be scraped"),
        ({"cafelake:retainData": "maybe"}, "cafelake:retainData"),
        ({"cafelake:alarmEmail": "nobody"}, "cafelake:alarmEmail"),
        ({"cafelake:quicksight": True}, "cafelake:quicksightPrincipalArn"),
        ({"cafelake:bytesScannedCutoffMb": 5}, "10 MB"),
        ({"cafelake:glueWorkerType": "G.025X"}, "cafelake:glueWorkerType"),
        ({"cafelake:glueWorkers": 1}, "at least 2 workers"),
        ({"cafelake:quicksightServiceRole": "arn:aws:iam::1:role/x"}, "cafelake:quicksightServiceRole"),
        (
            {"cafelake:quicksightServiceRole": "service-role/aws-quicksight-service-role-v0"},
            "cafelake:quicksightServiceRole",
        ),
        (
            {
                "cafelake:quicksight": True,
                "cafelake:quicksightPrincipalArn": "arn:aws:quicksight:us-east-1:123456789012:namespace/default",
            },
            "cafelake:quicksightPrincipalArn",
        ),
        (
            {"cafelake:quicksightViewerArns": ["arn:aws:quicksight:us-east-1:123456789012:namespace/default"]},
            "cafelake:quicksightViewerArns",
        ),
        ({"cafelake:quicksightViewerArns": "*"}, "cafelake:quicksightViewerArns"),
        ({"cafelake:quicksightViewerArns": {"arn": "x"}}, "cafelake:quicksightViewerArns"),
        ({"cafelake:scraperReservedConcurrency": 0}, "cafelake:scraperReservedConcurrency"),
        ({"cafelake:scraperReservedConcurrency": "one"}, "cafelake:scraperReservedConcurrency"),
        ({"cafelake:scraperReservedConcurrency": 1.5}, "cafelake:scraperReservedConcurrency"),
    ],
)
def test_bad_context_is_refused(overrides, message):
    from cafelake_infra.settings import SettingsError

    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        settings(**overrides)
