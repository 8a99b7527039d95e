"""Glue 5.0 job: the closed months of every partitioned table rewritten as one file each.

A thin adapter over the pipeline's compact stage (`Pipeline.compact`), run by the state machine
after the daily tokenize. Job arguments:
    --cleansed_uri s3://…   cleansed zone root      --tokenized_uri s3://…   tokenized zone root
    --before YYYY-MM         compact the months before this one (default: the current KST month)
    --region R               the buckets' and metrics' AWS region (the stack passes its own)
It needs only cafelake's core (pyarrow), so it installs the cleanse job's zip of wheels.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Our arguments among Glue's own (--JOB_NAME, --TempDir, ...), which are ignored."""
    parser = argparse.ArgumentParser(prog="compact")
    parser.add_argument("--cleansed_uri", required=True)
    parser.add_argument("--tokenized_uri", required=True)
    parser.add_argument("--before", default=None, help="YYYY-MM; default the current KST month")
    parser.add_argument("--metrics_namespace", default=None, help="publish the run's counts to CloudWatch")
    parser.add_argument("--region", default=None, help="AWS region of the buckets and metrics")
    args, _ = parser.parse_known_args(argv)
    for name in ("cleansed_uri", "tokenized_uri"):
        setattr(args, name, getattr(args, name).rstrip("/"))
    return args


def main(argv: list[str] | None = None) -> dict:
    from cafelake.lake import Lake
    from cafelake.pipeline import Pipeline
    from cafelake.runs import publish
    from cafelake.settings import Settings

    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings.load()  # the job's environment: CAFELAKE_S3_ENDPOINT, AWS_REGION
    region = args.region or settings.env.region  # pyarrow's S3 filesystem does not follow S3's region redirect
    lake = Lake(
        root=args.tokenized_uri,
        zone_roots={"cleansed": args.cleansed_uri, "tokenized": args.tokenized_uri},
        endpoint_url=settings.env.s3_endpoint,
        region=region,
    )
    # lock=False: the state machine runs it after the tokenize job, one run at a time (MaxConcurrentRuns 1),
    # and Glue's botocore has no conditional put
    summary = Pipeline(lake, settings).compact(before=args.before or None, lock=False)
    result = asdict(summary)
    print(json.dumps(result))
    if args.metrics_namespace:
        import boto3

        publish(
            "compact", result, namespace=args.metrics_namespace, client=boto3.client("cloudwatch", region_name=region)
        )
    return result


if __name__ == "__main__":
    main()
