"""The cloud rehearsal: the synthesized cloud assembly run end to end offline, as AWS would run it.

`cdk synth` writes the assembly (`assembly`); its assets are published as `cdk deploy` publishes
them (`assets`) to a local AWS (moto, `rehearsal`) where its resources are created under the
template's names (`provision`, `intrinsics`); the state machine then runs in moto's Step
Functions interpreter, with its Lambda task run as the Lambda runtime runs it (`lambda_runtime`),
its Glue tasks as Glue 5.0 runs them (`glue`, in cached environments: `environments`), its crawl
and waits as the services behave, and its Athena tasks on DuckDB (`athena`); `hooks` says where
each takes over from moto. `outcome` compares the result with a local pipeline run, and `checks`
reads what moto cannot evaluate (IAM). `python infra/rehearse.py` (`make rehearse`) runs it all.
"""
