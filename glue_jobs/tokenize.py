"""Glue 5.0 job: cleansed posts -> Kiwi tokens, keyword groups, TF-IDF and the mart.

A thin adapter over the pipeline's tokenize stage (`Pipeline.tokenize`). Job arguments:
    --cleansed_uri s3://…   cleansed zone root      --tokenized_uri s3://…   tokenized zone root
    --full true|false        rebuild every partition (default false: incremental)
    --engine python|spark    python (default): Kiwi in the driver, incremental by content_hash;
                             spark: Kiwi in every executor's Python workers via mapInArrow.
    --region R               the buckets' and metrics' AWS region (the stack passes its own); without it
                             AWS_REGION / AWS_DEFAULT_REGION, as Glue may set them
cafelake and its requirements (kiwipiepy, kiwipiepy-model, scikit-learn, ...) come in as
wheels through `--additional-python-modules` (built by scripts/build_glue_artifacts.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict


def _bool(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no", ""):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Our arguments among Glue's own (--JOB_NAME, --TempDir, ...), which are ignored."""
    parser = argparse.ArgumentParser(prog="tokenize")
    parser.add_argument("--cleansed_uri", required=True)
    parser.add_argument("--tokenized_uri", required=True)
    parser.add_argument("--full", type=_bool, nargs="?", const=True, default=False)
    parser.add_argument("--engine", choices=("python", "spark"), default="python")
    parser.add_argument("--JOB_NAME", default="cafelake-tokenize")
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
    settings = Settings.load()  # the job's environment: CAFELAKE_CONFIG_DIR, CAFELAKE_S3_ENDPOINT, AWS_REGION
    # The region argument first: pyarrow's S3 filesystem does not follow S3's region redirect.
    region = args.region or settings.env.region
    lake = Lake(
        root=args.tokenized_uri,
        zone_roots={"cleansed": args.cleansed_uri, "tokenized": args.tokenized_uri},
        endpoint_url=settings.env.s3_endpoint,
        region=region,
    )
    # lock=False: the job runs one at a time (MaxConcurrentRuns 1), and Glue's botocore has no conditional put
    pipeline = Pipeline(lake, settings)
    if args.engine == "spark":
        try:  # in Glue: the job's SparkSession and bookkeeping
            from awsglue.context import GlueContext
            from awsglue.job import Job
            from pyspark.context import SparkContext
        except ImportError:  # locally: plain pyspark
            from pyspark.sql import SparkSession

            spark, job = SparkSession.builder.getOrCreate(), None
        else:
            glue = GlueContext(SparkContext.getOrCreate())
            spark, job = glue.spark_session, Job(glue)
            job.init(args.JOB_NAME, {"JOB_NAME": args.JOB_NAME})
        summary = pipeline.tokenize(full=args.full, spark=spark, lock=False)
        if job is not None:
            job.commit()
    else:
        summary = pipeline.tokenize(full=args.full, lock=False)
    result = asdict(summary)
    print(json.dumps(result))
    if args.metrics_namespace:
        import boto3

        publish(
            "tokenize", result, namespace=args.metrics_namespace, client=boto3.client("cloudwatch", region_name=region)
        )
    return result


if __name__ == "__main__":
    main()
