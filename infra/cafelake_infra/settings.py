"""Deployment settings read from `cdk.json` context, validated before any construct is built.

Everything an operator may change lives under the `cafelake:` context keys, so a deploy to
another account is `cdk deploy -c cafelake:alarmEmail=...` rather than a code change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from constructs import Node

from cafelake import sources
from cafelake.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_DIGITS = re.compile(r"^[0-9]+$")
_SCHEDULE = re.compile(r"^(cron|rate)\(.+\)$")
_WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
# A QuickSight user or group: never a namespace ARN, which would share with every user of the account.
_QUICKSIGHT_MEMBER = re.compile(r"^arn:aws[\w-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)/[\w+=,.@-]+/[^/\s]+$")
QUICKSIGHT_SERVICE_ROLE = "aws-quicksight-service-role-v0"  # the role QuickSight creates when it is enabled


class SettingsError(ValueError):
    """A context value that cannot be deployed; the message says which key and why."""


@dataclass(frozen=True)
class Board:
    """One scraped board: its own scraper function and its own schedule."""

    name: str
    club_id: str
    menu_id: str
    schedule: str
    timezone: str = "Asia/Seoul"
    source: str = field(default_factory=sources.default_name)  # a registered source the scraper can walk

    @property
    def ident(self) -> str:
        """CamelCase construct id fragment, e.g. baby-health -> BabyHealth."""
        return "".join(p.capitalize() for p in self.name.split("-"))


@dataclass(frozen=True)
class Settings:
    boards: tuple[Board, ...]
    alarm_email: str | None = None
    retain_data: bool = True
    quicksight: bool = False
    quicksight_principal_arn: str | None = None
    quicksight_service_role: str = QUICKSIGHT_SERVICE_ROLE  # the IAM role QuickSight reads Athena and S3 with
    quicksight_viewer_arns: tuple[str, ...] = ()  # users or groups who may open the dashboard (read only)
    bytes_scanned_cutoff_mb: int = 1024
    glue_worker_type: str = "G.1X"
    glue_workers: int = 2
    user_agent: str | None = None  # the scraper's User-Agent, with the operator's contact
    # Opt-in: reserved concurrency takes from the account's unreserved pool, which may not drop below 10,
    # so on an account whose quota is 10 any reservation fails the deploy. The board lease keeps one
    # invocation per board without it.
    scraper_reserved_concurrency: int | None = None
    root: Path = field(default=REPO_ROOT)

    @classmethod
    def from_context(cls, node: Node, root: Path = REPO_ROOT) -> Settings:
        def ctx(key: str, default: Any = None) -> Any:
            value = node.try_get_context(f"cafelake:{key}")
            # `-c key=value` on the command line always arrives as a string.
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                value = json.loads(value)
            return default if value in (None, "") else value

        boards = tuple(_board(b) for b in ctx("boards", []))
        if not boards:
            raise SettingsError("context cafelake:boards must list at least one board")
        names = [b.name for b in boards]
        if len(set(names)) != len(names):
            raise SettingsError(f"context cafelake:boards: duplicate board names in {names}")
        # Two functions on one board could fetch it at once, which per-function concurrency cannot stop.
        ids = [(b.source, b.club_id, b.menu_id) for b in boards]
        if len(set(ids)) != len(ids):
            raise SettingsError("context cafelake:boards: two boards with the same source, club_id and menu_id")
        settings = cls(
            boards=boards,
            alarm_email=ctx("alarmEmail"),
            retain_data=_flag(ctx("retainData", True), "retainData"),
            quicksight=_flag(ctx("quicksight", False), "quicksight"),
            quicksight_principal_arn=ctx("quicksightPrincipalArn"),
            quicksight_service_role=str(ctx("quicksightServiceRole", QUICKSIGHT_SERVICE_ROLE)),
            quicksight_viewer_arns=_arns(ctx("quicksightViewerArns", []), "quicksightViewerArns"),
            bytes_scanned_cutoff_mb=int(ctx("bytesScannedCutoffMb", 1024)),
            glue_worker_type=str(ctx("glueWorkerType", "G.1X")),
            glue_workers=int(ctx("glueWorkers", 2)),
            user_agent=ctx("userAgent"),
            scraper_reserved_concurrency=_optional_int(ctx("scraperReservedConcurrency"), "scraperReservedConcurrency"),
            root=root,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.alarm_email is not None and "@" not in self.alarm_email:
            raise SettingsError(f"context cafelake:alarmEmail is not an e-mail address: {self.alarm_email!r}")
        if self.quicksight and not _QUICKSIGHT_MEMBER.match(self.quicksight_principal_arn or ""):
            raise SettingsError(
                "context cafelake:quicksight is on: set cafelake:quicksightPrincipalArn "
                "to a QuickSight user or group ARN (arn:aws:quicksight:<region>:<account>:user/"
                f"<namespace>/<name>), got {self.quicksight_principal_arn!r}"
            )
        if bad := [a for a in self.quicksight_viewer_arns if not _QUICKSIGHT_MEMBER.match(a)]:
            raise SettingsError(
                "context cafelake:quicksightViewerArns lists QuickSight user or group ARNs "
                f"(no namespace, nothing public), got {bad}"
            )
        if not _ROLE_NAME.match(self.quicksight_service_role):
            raise SettingsError(
                "context cafelake:quicksightServiceRole is an IAM role name (no path, no ARN), "
                f"got {self.quicksight_service_role!r}"
            )
        if self.bytes_scanned_cutoff_mb < 10:
            raise SettingsError("context cafelake:bytesScannedCutoffMb: Athena's minimum is 10 MB")
        if self.glue_worker_type not in _WORKER_TYPES:
            raise SettingsError(f"context cafelake:glueWorkerType must be one of {_WORKER_TYPES}")
        if self.user_agent is not None and not (
            isinstance(self.user_agent, str) and self.user_agent.isascii() and self.user_agent.isprintable()
        ):
            raise SettingsError(
                f"context cafelake:userAgent must be one line of printable ASCII, got {self.user_agent!r}"
            )
        if self.scraper_reserved_concurrency is not None and self.scraper_reserved_concurrency < 1:
            raise SettingsError(
                "context cafelake:scraperReservedConcurrency: leave it out (the default) or reserve "
                f"at least 1, got {self.scraper_reserved_concurrency}"
            )
        if self.glue_workers < 2:
            raise SettingsError("context cafelake:glueWorkers: a Glue 5.0 Spark job needs at least 2 workers")


def _flag(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise SettingsError(f"context cafelake:{key} must be true or false, got {value!r}")


def _arns(value: Any, key: str) -> tuple[str, ...]:
    """A list of ARNs, or one string of them separated by commas (as `-c key=a,b` gives it)."""
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.split(",")) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"context cafelake:{key} must be a list of ARNs, got {value!r}")
    return tuple(value)


def _optional_int(value: Any, key: str) -> int | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool) or float(value) != int(value):
            raise ValueError(value)
        return int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"context cafelake:{key} must be a whole number, got {value!r}") from None


def _board(raw: Any) -> Board:
    if not isinstance(raw, dict):
        raise SettingsError(f"context cafelake:boards: each board is an object, got {raw!r}")
    missing = [k for k in ("name", "club_id", "menu_id", "schedule") if k not in raw]
    if missing:
        raise SettingsError(f"context cafelake:boards: board {raw.get('name', raw)!r} lacks {missing}")
    board = Board(
        name=str(raw["name"]),
        club_id=str(raw["club_id"]),
        menu_id=str(raw["menu_id"]),
        schedule=str(raw["schedule"]),
        timezone=str(raw.get("timezone", "Asia/Seoul")),
        source=str(raw.get("source") or sources.default_name()),
    )
    try:
        sources.listing(board.source)
    except ConfigError as exc:
        raise SettingsError(f"board {board.name!r}: {exc}") from None
    if not _NAME.match(board.name):
        raise SettingsError(f"board name {board.name!r}: lower-case letters, digits and '-', at most 31")
    if not (_DIGITS.match(board.club_id) and _DIGITS.match(board.menu_id)):
        raise SettingsError(f"board {board.name!r}: club_id and menu_id are numeric ids")
    if not _SCHEDULE.match(board.schedule):
        raise SettingsError(f"board {board.name!r}: schedule must be cron(...) or rate(...), got {board.schedule!r}")
    return board
