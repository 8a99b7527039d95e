"""Member session cookies (NID_AUT, NID_SES): loaded from where they live, never shown.

In AWS they come from Secrets Manager; on a laptop from a file or CAFELAKE_NAVER_COOKIES.
A secret or file holds either a JSON object `{"NID_AUT": "...", ...}` or a Cookie header
`NID_AUT=...; NID_SES=...`. The values are only handed to the HTTP session: repr, str
and logs show names with redacted values, and nothing of them reaches the lake.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

ENV_VAR = "CAFELAKE_NAVER_COOKIES"


class MemberCookies(Mapping[str, str]):
    """A read-only cookie jar whose values never print."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {str(k): str(v) for k, v in values.items()}

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"MemberCookies({', '.join(f'{k}=***' for k in self._values)})"

    __str__ = __repr__

    @classmethod
    def parse(cls, text: str) -> MemberCookies:
        """From a JSON object or a Cookie header; ValueError (without the values) otherwise."""
        text = text.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError("member cookies: invalid JSON object") from None
            if not isinstance(data, dict):
                raise ValueError("member cookies: expected a JSON object")
            return cls(data)
        pairs = [p.strip() for p in text.split(";") if p.strip()]
        if not pairs or any("=" not in p for p in pairs):
            raise ValueError("member cookies: expected a JSON object or 'NAME=value; NAME=value'")
        return cls(dict(p.split("=", 1) for p in pairs))


def load_cookies(
    *,
    file: str | Path | None = None,
    secret_id: str | None = None,
    environ: Mapping[str, str] | None = None,
    secrets_client=None,
) -> MemberCookies | None:
    """Cookies from a Secrets Manager secret, a file, or CAFELAKE_NAVER_COOKIES in `environ` (first one given).

    `environ` is the settings' reading of the environment (`Environment.variables`), not read here.
    None if none is given or it holds no cookie (`{}`: scrape without a member session).
    """
    if secret_id:
        import boto3

        client = secrets_client or boto3.client("secretsmanager")
        text = client.get_secret_value(SecretId=secret_id)["SecretString"]
    elif file:
        text = Path(file).read_text(encoding="utf-8")
    else:
        text = (environ or {}).get(ENV_VAR, "")
    return (MemberCookies.parse(text) or None) if text.strip() else None
