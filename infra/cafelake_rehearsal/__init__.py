"""The cloud rehearsal: the synthesized cloud assembly run end to end offline, as AWS would run it.

`cdk synth` writes the assembly (`assembly`); its assets are published as `cdk deploy` publishes
them (`assets`) to a local AWS (moto, `rehearsal`, with S3's region check: `s3_region`) where its
resources are created under the template's names and in its dependency order (`provision`,
`intrinsics`), its custom resource through the CDK Provider framework's protocol, running our
handler (`custom_resources`); the state machine then runs in moto's Step Functions interpreter,
with its Lambda task run as the Lambda runtime runs it (`lambda_runtime`), its Glue tasks as Glue
5.0 runs them (`glue`, in cached environments: `environments`), its crawl and waits as the
services behave, and its Athena tasks on DuckDB (`athena`); `hooks` says where each takes over
from moto. `scenarios` are the runs, in order; `outcome` compares their result with a local
pipeline run, and `checks` reads what moto cannot evaluate (IAM). The tests in `tests/rehearsal/`
drive it (`make rehearse`, and `make test`); docs/deploy.md says what it proves.

Lives beside the CDK app, not in `src/`: it needs moto and the CDK CLI (dev and infra extras),
and must not ship in the Glue jobs' cafelake wheel or the Lambda bundle.
"""
