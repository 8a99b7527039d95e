"""Glue 5.0 (Python 3.11) job: cleanse the raw zone into the cleansed zone.

A thin adapter over the pipeline's cleanse stage (`Pipeline.cleanse`; the cafelake wheel ships with
`--additional-python-modules`). Arguments:

  --raw_uri s3://...        raw zone root (required)
  --cleansed_uri s3://...   cleansed zone root (required)
  --pseudonym_secret_id ID  Secrets Manager secret holding the author pseudonym key
  --ingest_dts D1,D2        re-cleanse the raw objects of these ingest dates
  --full true               rebuild the cleansed zone from every raw object
  --metrics_namespace NS    publish the run's counts to CloudWatch under NS (the stack passes cafelake)
  --region R                the AWS region of the buckets, secret and metrics (the stack passes its own);
                            without it AWS_REGION / AWS_DEFAULT_REGION, as Glue may set them

Without --ingest_dts or --full it cleanses only the raw objects not cleansed yet.
The rules (keep_jamo, max_text_chars) come from the wheel's config/cleanse.yaml, or from
CAFELAKE_CONFIG_DIR if the job sets it; a changed rule makes the run a full rebuild.
Run it with max concurrency 1: the run's state (manifest) is not built for two writers.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

REQUIRED = ("raw_uri", "cleansed_uri")
OPTIONAL = ("pseudonym_secret_id", "ingest_dts", "full", "metrics_namespace", "region", "JOB_NAME")


@dataclass(frozen=True)
class JobArgs:
    raw_uri: str
    cleansed_uri: str
    pseudonym_secret_id: str | None = None
    ingest_dts: list[str] | None = None
    full: bool = False
    metrics_namespace: str | None = None
    region: str | None = None


def _resolve_locally(argv: list[str], names: list[str]) -> dict[str, str]:
    """What awsglue.utils.getResolvedOptions does, for running and testing outside Glue."""
    parser = argparse.ArgumentParser(allow_abbrev=False)
    for name in names:
        parser.add_argument(f"--{name}", required=True)
    known, _ = parser.parse_known_args(argv[1:])
    return vars(known)


def parse_args(argv: list[str]) -> JobArgs:
    """Glue's resolver when running in Glue, argparse otherwise; optional arguments only if passed
    (getResolvedOptions treats every name it is given as required)."""
    try:
        from awsglue.utils import getResolvedOptions as resolve  # noqa: N813 (Glue's name, our verb)
    except ImportError:
        resolve = _resolve_locally
    names = [*REQUIRED, *(n for n in OPTIONAL if f"--{n}" in argv or any(a.startswith(f"--{n}=") for a in argv))]
    got = resolve(argv, names)
    for name in REQUIRED:
        if not got[name].startswith("s3://") and "://" in got[name]:
            raise ValueError(f"--{name} must be an s3:// URI or a local path, got {got[name]!r}")
    full = got.get("full", "false").strip().lower()
    if full not in ("true", "false"):
        raise ValueError(f"--full must be true or false, got {got['full']!r}")
    dts = [d.strip() for d in got.get("ingest_dts", "").split(",") if d.strip()] or None
    if full == "true" and dts:
        raise ValueError("--full already covers every ingest date; drop --ingest_dts")
    return JobArgs(
        raw_uri=got["raw_uri"],
        cleansed_uri=got["cleansed_uri"],
        pseudonym_secret_id=got.get("pseudonym_secret_id") or None,
        ingest_dts=dts,
        full=full == "true",
        metrics_namespace=got.get("metrics_namespace") or None,
        region=got.get("region") or None,
    )


def main(argv: list[str] | None = None) -> dict:
    import boto3

    from cafelake.cleanse.authors import secret_key
    from cafelake.lake import Lake
    from cafelake.pipeline import Pipeline
    from cafelake.runs import publish
    from cafelake.settings import Settings

    args = parse_args(sys.argv if argv is None else argv)
    settings = Settings.load()  # the job's environment: CAFELAKE_CONFIG_DIR, CAFELAKE_S3_ENDPOINT, AWS_REGION
    # The region argument first: pyarrow's S3 filesystem does not follow S3's region redirect.
    region = args.region or settings.env.region
    lake = Lake(
        root=args.cleansed_uri,
        zone_roots={"raw": args.raw_uri, "cleansed": args.cleansed_uri},
        endpoint_url=settings.env.s3_endpoint,
        region=region,
    )
    key = (
        secret_key(args.pseudonym_secret_id, client=boto3.client("secretsmanager", region_name=region))
        if args.pseudonym_secret_id
        else None
    )
    # lock=False: the job runs one at a time (MaxConcurrentRuns 1), and Glue's botocore has no conditional put
    summary = asdict(Pipeline(lake, settings, key).cleanse(ingest_dts=args.ingest_dts, full=args.full, lock=False))
    print(json.dumps({"stage": "cleanse", **summary}, ensure_ascii=False))
    if args.metrics_namespace:
        publish(
            "cleanse", summary, namespace=args.metrics_namespace, client=boto3.client("cloudwatch", region_name=region)
        )
    return summary


if __name__ == "__main__":
    main()
