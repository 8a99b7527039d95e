"""S3's region check, which moto does not make: a request signed for another region than its bucket's fails.

moto keeps every bucket in one global store and answers a request whatever region it was signed
for, so a client that fell back to us-east-1 (pyarrow's S3 filesystem does, when given no region)
works against moto and fails in AWS. S3 answers a Signature V4 request whose credential scope names
another region than the bucket's with `400 AuthorizationHeaderMalformed` ("the region 'us-east-1'
is wrong; expecting 'ap-northeast-2'", the bucket's region in `<Region>` and the
`x-amz-bucket-region` header; a HEAD gets the status and header only). boto3 follows that answer to
the right region by itself; pyarrow's filesystem does not, and fails. `RegionCheck` answers so on
the moto server (the endpoint of the Lambda and Glue processes); the rehearsal's own clients, in
this process, sign for the bucket's region.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from moto.s3.models import s3_backends

_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([^/]+)/s3/aws4_request")


def signed_region(environ: dict) -> str | None:
    """The region an S3 request's Authorization header was signed for, if it has one (pre-signed URLs, which
    carry it in the query, are not used here)."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def path_bucket(environ: dict) -> str | None:
    """The bucket of a path-style request (what clients of an endpoint on 127.0.0.1 send)."""
    return environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0] or None


def moto_bucket_region(account: str) -> Callable[[str], str | None]:
    """A bucket's region in the moto account, None if there is no such bucket."""

    def region(bucket: str) -> str | None:
        found = s3_backends[account]["global"].buckets.get(bucket)
        return found.region_name if found else None

    return region


class RegionCheck:
    """WSGI middleware in front of the moto server's app."""

    def __init__(self, app: Callable, bucket_region: Callable[[str], str | None]) -> None:
        self.app, self.bucket_region = app, bucket_region
        self.refused: list[tuple[str, str, str]] = []  # (bucket, signed for, bucket's region)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        signed, bucket = signed_region(environ), path_bucket(environ)
        expected = self.bucket_region(bucket) if signed and bucket else None
        if expected is None or expected == signed:
            return self.app(environ, start_response)
        self.refused.append((bucket, signed, expected))
        body = (
            b""
            if environ.get("REQUEST_METHOD") == "HEAD"
            else (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>'
                f"<Message>The authorization header is malformed; the region '{signed}' is wrong; expecting "
                f"'{expected}'</Message><Region>{expected}</Region><RequestId>rehearsal</RequestId></Error>"
            ).encode()
        )
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "application/xml"),
                ("x-amz-bucket-region", expected),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


def install(server: Any, account: str) -> RegionCheck:
    """Put the check in front of a started `ThreadedMotoServer` (werkzeug reads `server.app` per request)."""
    check = RegionCheck(server._server.app, moto_bucket_region(account))
    server._server.app = check
    return check
