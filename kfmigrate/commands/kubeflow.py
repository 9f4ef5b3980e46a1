"""`kfmigrate kubeflow ...`: drive a Kubeflow cluster, one command per step of the notebook walkthrough.

notebook-setup renders (or server-side applies) the notebook access objects; upload, experiment,
run and schedule wrap the real kfp.Client; deploy does it all for an Airflow DAG. The logic lives in
kubeflow_ops/; this module parses options and prints. kfp and kubernetes load only when needed.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

AUTH_HELP = ("Credential: auto (default) picks $KFP_TOKEN (bearer token), then $KFP_COOKIE (Dex session "
             "cookie, name=value), then the service-account token file; or name one: sa-token, token, "
             "cookie, none. Secrets are read from the environment only and never printed.")


# ---------------------------------------------------------------- shared options and errors
def kfp_options(func):
    """Connection options shared by every command that talks to Kubeflow Pipelines."""
    options = [
        click.option("--host", envvar="KFP_HOST", metavar="URL",
                     help="KFP API endpoint, e.g. https://kubeflow.example.com/pipeline or "
                          "http://localhost:8888 (port-forward). Env: KFP_HOST. Inside a pod it defaults "
                          "to http://ml-pipeline.kubeflow.svc.cluster.local:8888."),
        click.option("--namespace", envvar="KFP_NAMESPACE", metavar="NS",
                     help="Kubeflow profile namespace (multi-user installs). Env: KFP_NAMESPACE."),
        click.option("--auth", type=click.Choice(["auto", "sa-token", "token", "cookie", "none"]), default="auto",
                     show_default=True, help=AUTH_HELP),
        click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False),
                     help="Service-account token file (default: $KF_PIPELINES_SA_TOKEN_PATH, else "
                          "/var/run/secrets/kubeflow/pipelines/token)."),
        click.option("--insecure", is_flag=True, help="Do not verify the server's TLS certificate."),
        click.option("--ca-cert", metavar="PATH", type=click.Path(exists=True, dir_okay=False),
                     help="CA bundle to verify the server's TLS certificate."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                     help="Seconds per HTTP request before it counts as failed (and is retried)."),
        click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
                     help="Retries for transient faults (5xx, connection reset, timeout), with backoff."),
        click.option("--ui-host", metavar="URL", help="Base URL for UI links (default: --host)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def session_from(opts: dict):
    from kfmigrate.kubeflow_ops.auth import resolve_credential
    from kfmigrate.kubeflow_ops.client import KfpSession, default_host

    credential = resolve_credential(opts["auth"], opts["token_file"])
    backoff = float(os.environ.get("KFMIGRATE_RETRY_BACKOFF", "0.5"))  # tests shorten the waits
    host = default_host(opts["host"])
    if host != opts["host"]:
        click.echo(f"note: no --host given; using the in-cluster KFP service {host}", err=True)
    return KfpSession(host, credential, namespace=opts["namespace"], verify_tls=not opts["insecure"],
                      ca_cert=opts["ca_cert"], timeout=opts["timeout"], attempts=opts["retries"] + 1,
                      backoff=backoff, ui_host=opts["ui_host"],
                      notify=lambda message: click.echo(f"note: {message}", err=True))


KFP_KEYS = ("host", "namespace", "auth", "token_file", "insecure", "ca_cert", "timeout", "retries", "ui_host")


def split_kfp(kwargs: dict) -> dict:
    return {key: kwargs.pop(key) for key in KFP_KEYS}


def explained(func):
    """Turn our errors into `error: KFMnnn ...` on stderr and exit 1 (2 for bad input), without a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from kfmigrate.kubeflow_ops.auth import CredentialError
        from kfmigrate.kubeflow_ops.errors import KubeflowError, exit_code
        from kfmigrate.kubeflow_ops.manifests import ManifestError
        from kfmigrate.kubeflow_ops.schedules import OptionError

        try:
            return func(*args, **kwargs)
        except KubeflowError as exc:
            click.echo(f"error: {exc.render()}", err=True)
            sys.exit(exit_code(exc))
        except (CredentialError, ManifestError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exit_code(exc))
        except OptionError as exc:
            if exc.option:
                raise click.BadParameter(str(exc), param_hint=exc.option) from None
            raise click.UsageError(str(exc)) from None
        except KeyboardInterrupt:
            # a run started on the cluster keeps running; say how to find it again
            click.echo("interrupted (anything already started on the cluster keeps running; see "
                       "`kfmigrate kubeflow run list`)", err=True)
            sys.exit(130)

    return wrapper


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def write_atomically(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        from kfmigrate.kubeflow_ops.errors import KubeflowError

        raise KubeflowError(f"{path} exists (use --force to overwrite)", code="KFM302")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- the group
@click.group("kubeflow", short_help="Drive a cluster: notebook access, upload, runs, schedules, deploy.")
def command():
    """Drive a Kubeflow cluster: notebook access, uploads, experiments, runs, schedules, deploys.

    \b
    The walkthrough, one command per step:
      notebook-setup   AuthorizationPolicy + PodDefault + Notebook + workspace PVC (render or apply)
      upload           a pipeline package (.py compiled first); an existing name gets a new version
      experiment       create | list
      run              create | get | list | wait (per-task states)
      schedule         a recurring run from the DAG's Airflow schedule
      deploy           convert a DAG, upload, create the experiment, run, wait, print the UI link

    Connection: --host or $KFP_HOST; credentials from $KFP_TOKEN, $KFP_COOKIE or the notebook's
    service-account token file. Transient faults are retried; 401/403 are explained.
    """


# ---------------------------------------------------------------- notebook-setup
@command.command("notebook-setup", short_help="Render or apply notebook access to KFP.")
@click.option("--namespace", required=True, metavar="NS", help="The profile namespace the notebook runs in.")
@click.option("--kfp-namespace", default="kubeflow", show_default=True,
              help="Namespace of the KFP API server (newer manifests: kubeflow-system).")
@click.option("--name", default="kfp-notebook", show_default=True, help="Notebook server name.")
@click.option("--image", default=None, help="Notebook image [default: kubeflownotebookswg/jupyter-scipy:v1.9.0].")
@click.option("--cpu", default="1", show_default=True, help="CPU request and limit (e.g. 500m, 2).")
@click.option("--memory", default="2Gi", show_default=True, help="Memory request and limit (e.g. 4Gi).")
@click.option("--volume-size", default="10Gi", show_default=True, help="Workspace volume size (/home/jovyan).")
@click.option("--storage-class", default="", help="StorageClass of the workspace volume (default: the cluster's).")
@click.option("--service-account", default="default-editor", show_default=True,
              help="Service account of the notebook pod (the principal the AuthorizationPolicy admits).")
@click.option("--skip-authorization-policy", is_flag=True,
              help="Leave out the Istio AuthorizationPolicy (clusters without Istio, or newer installs that "
                   "already admit profile service accounts).")
@click.option("--apply", "do_apply", is_flag=True, help="Apply to the cluster (server-side apply) instead of printing YAML.")
@click.option("--dry-run", is_flag=True, help="With --apply: server-side dry run (validated, nothing stored).")
@click.option("--force-conflicts", is_flag=True, help="With --apply: take over fields another manager owns.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="Kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
@click.option("--context", help="Kubeconfig context.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the YAML to this file.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@explained
def notebook_setup(namespace, kfp_namespace, name, image, cpu, memory, volume_size, storage_class, service_account,
                   skip_authorization_policy, do_apply, dry_run, force_conflicts, kubeconfig, context, output, force):
    """Notebook access to Kubeflow Pipelines: render or apply the four objects.

    \b
    1. AuthorizationPolicy bind-ml-pipeline-nb-NS in --kfp-namespace (Istio): lets
       cluster.local/ns/NS/sa/default-editor call the ml-pipeline API.
    2. PodDefault access-ml-pipeline in NS: pods labelled access-ml-pipeline: "true" get a projected
       service-account token (audience pipelines.kubeflow.org) and KF_PIPELINES_SA_TOKEN_PATH.
    3. PersistentVolumeClaim NAME-workspace (the notebook's home directory).
    4. Notebook NAME (kubeflow.org/v1) carrying the access label, so kfp.Client() works inside it.

    Without --apply the YAML goes to stdout (or -o FILE). With --apply it is server-side applied with
    your kubeconfig (field manager "kfmigrate"): re-applying is idempotent; --dry-run asks the API
    server to validate without storing anything.
    """
    from kfmigrate.kubeflow_ops.manifests import DEFAULT_IMAGE, NotebookSetup, notebook_setup_objects, render_yaml

    if dry_run and not do_apply:
        raise click.UsageError("--dry-run needs --apply (without --apply nothing is sent to the cluster)")
    setup = NotebookSetup(namespace=namespace, kfp_namespace=kfp_namespace, name=name, image=image or DEFAULT_IMAGE,
                          cpu=cpu, memory=memory, volume_size=volume_size, service_account=service_account,
                          storage_class=storage_class)
    objects = notebook_setup_objects(setup)
    if skip_authorization_policy:
        objects = [o for o in objects if o["kind"] != "AuthorizationPolicy"]
    text = render_yaml(objects)
    if output:
        write_atomically(output, text, force)
        click.echo(f"wrote {output} ({len(objects)} objects)", err=True)
    if not do_apply:
        if not output:
            click.echo(text, nl=False)
        return
    from kfmigrate.kubeflow_ops.apply import Applier, load_api_client

    applier = Applier(load_api_client(kubeconfig, context),
                      backoff=float(os.environ.get("KFMIGRATE_RETRY_BACKOFF", "0.5")),
                      notify=lambda message: click.echo(f"note: {message}", err=True))
    objects = [_served_istio_version(applier, o) if o["kind"] == "AuthorizationPolicy" else o for o in objects]
    for result in applier.apply_all(objects, dry_run=dry_run, force=force_conflicts):
        suffix = " (server dry run)" if result.dry_run else ""
        click.echo(f"{result.kind.lower()}/{result.name} in {result.namespace}: {result.action}{suffix}")
    if not dry_run:
        click.echo(f"Notebook {name} requested in {namespace}: open it from the Kubeflow dashboard "
                   "(Notebooks); inside it, kfp.Client() authenticates with the mounted token.")


def _served_istio_version(applier, policy: dict) -> dict:
    """The AuthorizationPolicy in the newest security.istio.io version the cluster serves (v1 since
    Istio 1.22, v1beta1 before); unchanged when it serves neither (applying it then explains)."""
    from kfmigrate.kubeflow_ops.manifests import ISTIO_SECURITY, ISTIO_VERSIONS

    served = applier.served_versions(ISTIO_SECURITY)
    version = next((v for v in ISTIO_VERSIONS if v in served), None)
    return {**policy, "apiVersion": f"{ISTIO_SECURITY}/{version}"} if version else policy


# ---------------------------------------------------------------- upload
def upload_guard_options(func):
    """--allow-placeholders and --force: what upload, schedule and deploy refuse without them."""
    func = click.option("--force", "force_version", is_flag=True,
                        help="Add the version even when the existing pipeline of that name has another "
                             "pipelineInfo.name or other parameters (KFM503).")(func)
    return click.option("--allow-placeholders", is_flag=True,
                        help="Upload even when tasks are known to fail when run: placeholders, or shims whose "
                             "modules the component will not have (KFM502).")(func)


def check_fidelity(prepared, allow_placeholders: bool) -> None:
    """Print the fidelity line; refuse a package with tasks known to fail unless allowed."""
    from kfmigrate.kubeflow_ops.packages import refusal

    fidelity = prepared.fidelity
    if fidelity is None:
        return
    click.echo(f"{prepared.pipeline_name}: {fidelity.line()} (from {fidelity.source})", err=True)
    refused = refusal(prepared)
    if refused is None:
        return
    for problem in fidelity.blocking:
        click.echo(f"  {problem}", err=True)
    if not allow_placeholders:
        raise refused
    click.echo("note: --allow-placeholders: uploading anyway", err=True)


@command.command("upload", short_help="Upload a pipeline package (a new version if it exists).")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Pipeline name (default: the package's pipelineInfo.name).")
@click.option("--version", help="Version name when the pipeline exists (default: <name>-<content hash>).")
@click.option("--description", default="", help="Description shown in the UI.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@upload_guard_options
@kfp_options
@explained
def upload(package, name, version, description, as_json, allow_placeholders, force_version, **kwargs):
    """Upload a pipeline package (.py is compiled first; .yaml, .json, .zip, .tar.gz as they are).

    Uploading to an existing name adds a version instead of failing; uploading the same content
    again reuses the version that already has it (matched by content hash), so it is safe to repeat.

    Refused (exit 2, nothing uploaded): a package with tasks known to fail when run (placeholders,
    shims missing a module; read from the migration report next to it, else from the YAML) unless
    --allow-placeholders; a new version of an existing pipeline with another pipelineInfo.name or
    other parameters unless --force.
    """
    from kfmigrate.kubeflow_ops.packages import prepare

    session = session_from(split_kfp(kwargs))
    prepared = prepare(package)
    try:
        check_fidelity(prepared, allow_placeholders)
        result = session.upload(prepared.path, name or prepared.pipeline_name, version=version,
                                description=description, spec=prepared.spec, force=force_version)
    finally:
        prepared.cleanup()
    link = session.link("pipeline", result.pipeline_id, result.version_id)
    if as_json:
        echo_json({**result.__dict__, "link": link})
        return
    what = ("created pipeline" if result.created_pipeline else
            "added version" if result.created_version else "already uploaded:")
    click.echo(f"{what} {result.pipeline_name} (version {result.version_name})")
    click.echo(f"  pipeline id {result.pipeline_id}, version id {result.version_id}")
    click.echo(f"  {link}")


# ---------------------------------------------------------------- experiments
@command.group("experiment")
def experiment():
    """Create or list experiments (a folder of runs)."""


@experiment.command("create", short_help="Create experiment NAME (a no-op if it exists).")
@click.argument("name")
@click.option("--description", help="Description shown in the UI.")
@kfp_options
@explained
def experiment_create(name, description, **kwargs):
    """Create experiment NAME (no-op if it already exists in the namespace)."""
    session = session_from(split_kfp(kwargs))
    found, created = session.ensure_experiment(name, description)
    click.echo(f"{'created' if created else 'exists:'} experiment {name} ({found.experiment_id})")
    click.echo(f"  {session.link('experiment', found.experiment_id)}")


@experiment.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@kfp_options
@explained
def experiment_list(as_json, **kwargs):
    """List experiments, newest first."""
    session = session_from(split_kfp(kwargs))
    rows = [{"id": e.experiment_id, "name": e.display_name, "created": str(e.created_at or ""),
             "namespace": e.namespace or ""} for e in session.list_experiments()]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no experiments")
    for row in rows:
        click.echo(f"{row['id']}  {row['name']}  {row['created']}")


# ---------------------------------------------------------------- runs
@command.group("run")
def run():
    """Start runs, look at them, wait for them."""


def print_run(session, run_obj, as_json: bool = False) -> None:
    from kfmigrate.kubeflow_ops.client import task_rows

    tasks = task_rows(run_obj)
    data = {"run_id": run_obj.run_id, "name": run_obj.display_name, "state": str(run_obj.state or ""),
            "created": str(run_obj.created_at or ""), "finished": str(run_obj.finished_at or ""),
            "error": getattr(run_obj.error, "message", None) if run_obj.error else None,
            "tasks": tasks, "link": session.link("run", run_obj.run_id)}
    if as_json:
        echo_json(data)
        return
    click.echo(f"run {data['name']} ({data['run_id']}): {data['state']}")
    if data["error"]:
        click.echo(f"  error: {data['error']}")
    for task in tasks:
        outputs = ", ".join(f"{k}=artifact {v}" for k, v in task["outputs"].items())
        line = f"  {task['task']:<32} {task['state']}"
        click.echo(line + (f"  {outputs}" if outputs else "") + (f"  error: {task['error']}" if task["error"] else ""))
    click.echo(f"  {data['link']}")


@run.command("create", short_help="Start a run of an uploaded pipeline or of a local package.")
@click.argument("package", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--experiment", required=True, help="Experiment name (created if missing).")
@click.option("--pipeline", "pipeline_name", help="Run an uploaded pipeline by name (instead of PACKAGE).")
@click.option("--version", help="With --pipeline: the version (default: the newest).")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Pipeline parameter (value read as JSON if it parses).")
@click.option("--name", "run_name", help="Run name (default: <pipeline> <UTC time>).")
@click.option("--pipeline-root", help="Where outputs go, e.g. minio://mlpipeline/v2/artifacts.")
@click.option("--service-account", help="Kubernetes service account for the run's pods.")
@click.option("--wait", is_flag=True, help="Wait for the run to finish and print per-task states.")
@click.option("--wait-timeout", type=float, default=3600, show_default=True, help="Seconds to wait with --wait.")
@click.option("--poll", type=float, default=5, show_default=True, help="Seconds between status checks with --wait.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@kfp_options
@explained
def run_create(package, experiment, pipeline_name, version, params, run_name, pipeline_root, service_account,
               wait, wait_timeout, poll, as_json, **kwargs):
    """Start a run of an uploaded pipeline (--pipeline NAME) or of a local PACKAGE."""
    from kfmigrate.kubeflow_ops.packages import check_params, parse_params, prepare

    if bool(package) == bool(pipeline_name):
        raise click.UsageError("give either PACKAGE or --pipeline NAME")
    session = session_from(split_kfp(kwargs))
    values = parse_params(params)
    prepared = None
    try:
        if package:
            prepared = prepare(package)
            values = check_params(values, prepared.parameters)
            label = prepared.pipeline_name
            source = {"package_path": prepared.path}
        else:
            pipeline_id, version_id = session.resolve_version(pipeline_name, version)
            known = session.version_parameters(pipeline_id, version_id)
            values = check_params(values, known)
            label = pipeline_name
            source = {"pipeline_id": pipeline_id, "version_id": version_id}
        exp, _ = session.ensure_experiment(experiment)
        name = run_name or f"{label} {time.strftime('%Y-%m-%d %H-%M-%S', time.gmtime())}"
        created = session.create_run(exp.experiment_id, name, params=values, pipeline_root=pipeline_root,
                                     service_account=service_account, **source)
    finally:
        if prepared:
            prepared.cleanup()
    finish_run(session, created, wait, wait_timeout, poll, as_json)


def finish_run(session, created, wait, wait_timeout, poll, as_json, reused=False) -> None:
    """Print the run started (or, with reused, the earlier run already announced) and wait for it with --wait."""
    from kfmigrate.kubeflow_ops.client import succeeded

    if not wait:
        if as_json:
            print_run(session, created, as_json=True)
        else:
            if not reused:
                click.echo(f"started run {created.display_name} ({created.run_id})")
            click.echo(f"  {session.link('run', created.run_id)}")
        return
    if not as_json:
        click.echo("  waiting" if reused else f"started run {created.display_name} ({created.run_id}); waiting")
    final = session.wait_run(created.run_id, timeout=wait_timeout, poll=poll,
                             on_change=None if as_json else lambda r: click.echo(f"  state: {r.state}"))
    print_run(session, final, as_json)
    if not succeeded(final):
        sys.exit(1)


@run.command("get")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@kfp_options
@explained
def run_get(run_id, as_json, **kwargs):
    """Show a run: state, per-task states and output artifacts, UI link."""
    session = session_from(split_kfp(kwargs))
    print_run(session, session.get_run(run_id), as_json)


@run.command("list")
@click.option("--experiment", help="Only runs of this experiment (by name).")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True, help="How many runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@kfp_options
@explained
def run_list(experiment, limit, as_json, **kwargs):
    """List runs, newest first."""
    from kfmigrate.kubeflow_ops.errors import KubeflowError

    session = session_from(split_kfp(kwargs))
    experiment_id = None
    if experiment:
        found = session.find_experiment(experiment)
        if found is None:
            raise KubeflowError(f"no experiment named '{experiment}'")
        experiment_id = found.experiment_id
    rows = [{"run_id": r.run_id, "name": r.display_name, "state": str(r.state or ""),
             "created": str(r.created_at or "")} for r in session.list_runs(experiment_id, limit)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no runs")
    for row in rows:
        click.echo(f"{row['run_id']}  {row['state']:<10} {row['name']}  {row['created']}")


@run.command("wait")
@click.argument("run_id")
@click.option("--wait-timeout", type=float, default=3600, show_default=True, help="Seconds to wait.")
@click.option("--poll", type=float, default=5, show_default=True, help="Seconds between status checks.")
@click.option("--json", "as_json", is_flag=True, help="Print the final run as JSON.")
@kfp_options
@explained
def run_wait(run_id, wait_timeout, poll, as_json, **kwargs):
    """Wait for a run to finish; exit 0 only if it succeeded."""
    from kfmigrate.kubeflow_ops.client import succeeded

    session = session_from(split_kfp(kwargs))
    final = session.wait_run(run_id, timeout=wait_timeout, poll=poll,
                             on_change=None if as_json else lambda r: click.echo(f"  state: {r.state}"))
    print_run(session, final, as_json)
    if not succeeded(final):
        sys.exit(1)


# ---------------------------------------------------------------- schedule
def schedule_options(func):
    options = [
        click.option("--cron", help="Override: cron (5 fields, 6 fields seconds-first, or @daily...)."),
        click.option("--interval", type=click.IntRange(min=1), help="Override: seconds between runs."),
        click.option("--start", help="Override the start time (ISO 8601; default: the DAG's start_date)."),
        click.option("--end", help="Override the end time (ISO 8601; default: the DAG's end_date)."),
        click.option("--catchup/--no-catchup", default=None,
                     help="Backfill missed intervals (default: the DAG's catchup)."),
        click.option("--max-concurrency", type=click.IntRange(1, 10), default=1, show_default=True,
                     help="Runs of this schedule allowed at once (KFP allows 1-10)."),
        click.option("--replace", is_flag=True, help="Replace a recurring run of the same name with another trigger."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@command.command("schedule", short_help="Recurring run from a DAG's Airflow schedule.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--experiment", required=True, help="Experiment name (created if missing).")
@click.option("--name", help="Recurring run name (default: <pipeline> schedule).")
@click.option("--pipeline-name", help="Pipeline name to upload under (default: the pipeline's name).")
@click.option("--dag-id", help="The DAG to use when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Pipeline parameter for every run.")
@schedule_options
@upload_guard_options
@kfp_options
@explained
def schedule(source, experiment, name, pipeline_name, dag_id, params, cron, interval, start, end, catchup,
             max_concurrency, replace, allow_placeholders, force_version, **kwargs):
    """Create a recurring run from SOURCE: an Airflow DAG (its schedule is translated) or a package.

    \b
    Airflow -> KFP:
      cron '0 6 * * 1-5'   -> cron '0 0 6 * * 1-5' (KFP's cron has seconds first)
      @daily, @hourly ...  -> the same times as six-field crons
      timedelta(hours=2)   -> interval_second 7200
      catchup              -> no_catchup = not catchup
      start_date/end_date  -> start_time/end_time (UTC)
    Asset schedules, custom timetables, @once and @continuous have no KFP form (KFM207): pass --cron
    or --interval. The pipeline is uploaded first (or an identical version reused).
    """
    from kfmigrate.kubeflow_ops.packages import check_params, parse_params, prepare
    from kfmigrate.kubeflow_ops.schedules import ensure_recurring_run, recurring_spec

    session = session_from(split_kfp(kwargs))
    prepared = prepare(source, dag_id=dag_id)
    try:
        values = check_params(parse_params(params), prepared.parameters)
        spec, notes = recurring_spec(prepared.workflow, cron, interval, start, end, catchup)
        for note in notes:
            click.echo(f"note: {note.code} {note.message}", err=True)
        check_fidelity(prepared, allow_placeholders)
        uploaded = session.upload(prepared.path, pipeline_name or prepared.pipeline_name, spec=prepared.spec,
                                  force=force_version)
    finally:
        prepared.cleanup()
    exp, _ = session.ensure_experiment(experiment)
    label = name or f"{uploaded.pipeline_name} schedule"
    recurring, action = ensure_recurring_run(session, exp.experiment_id, label, spec, uploaded.pipeline_id,
                                             uploaded.version_id, values, max_concurrency, replace)
    click.echo(f"{action} recurring run {label} ({recurring.recurring_run_id}): {spec.describe()}")
    click.echo(f"  {session.link('recurring', recurring.recurring_run_id)}")


# ---------------------------------------------------------------- deploy
@command.command("deploy", short_help="Convert a DAG, upload it, run it and wait (end to end).")
@click.argument("dag", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--experiment", required=True, help="Experiment name (created if missing).")
@click.option("--pipeline-name", help="Pipeline name (default: the DAG id).")
@click.option("--dag-id", help="The DAG to deploy when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Pipeline parameter.")
@click.option("--wait", is_flag=True, help="Wait for the run and print per-task states.")
@click.option("--wait-timeout", type=float, default=3600, show_default=True, help="Seconds to wait with --wait.")
@click.option("--poll", type=float, default=5, show_default=True, help="Seconds between status checks with --wait.")
@click.option("--schedule", "with_schedule", is_flag=True,
              help="Also create the recurring run from the DAG's schedule (see `schedule`).")
@click.option("--new-run", is_flag=True, help="Start a new run even if this exact version already has one.")
@schedule_options
@upload_guard_options
@kfp_options
@explained
def deploy(dag, experiment, pipeline_name, dag_id, params, wait, wait_timeout, poll, with_schedule, new_run,
           cron, interval, start, end, catchup, max_concurrency, replace, allow_placeholders, force_version, **kwargs):
    """Convert an Airflow DAG and run it on Kubeflow Pipelines, in one step.

    Converts DAG (static, never imported), compiles it, uploads it (or adds a version; an identical
    version is reused), creates the experiment if missing, starts a run (optionally waits and prints
    per-task states) and prints the UI link. With --schedule it also creates the recurring run.

    Safe to re-run after a failure half-way: pipeline, version and experiment are found by name and
    content, and the run of this exact version with these parameters is reused unless it failed
    (or --new-run).
    """
    from kfmigrate.kubeflow_ops.client import deploy_run
    from kfmigrate.kubeflow_ops.packages import check_params, parse_params, prepare
    from kfmigrate.kubeflow_ops.schedules import ensure_recurring_run, recurring_spec

    session = session_from(split_kfp(kwargs))
    prepared = prepare(dag, dag_id=dag_id)
    if prepared.workflow is None:
        prepared.cleanup()
        raise click.UsageError(f"{dag} is not an Airflow DAG file (for a pipeline package use `run create`)")
    try:
        values = check_params(parse_params(params), prepared.parameters)
        for note in prepared.notes:
            click.echo(f"note: {note.render()}", err=True)
        spec = None
        if with_schedule:
            spec, notes = recurring_spec(prepared.workflow, cron, interval, start, end, catchup)
            for note in notes:
                click.echo(f"note: {note.code} {note.message}", err=True)
        click.echo(f"converted {dag} -> pipeline {prepared.pipeline_name}")
        check_fidelity(prepared, allow_placeholders)
        uploaded = session.upload(prepared.path, pipeline_name or prepared.pipeline_name,
                                  description=f"Converted from Airflow DAG {prepared.workflow.dag_id} by kfmigrate",
                                  spec=prepared.spec, force=force_version)
    finally:
        prepared.cleanup()
    click.echo(f"{'uploaded' if uploaded.created_version else 'reusing'} {uploaded.pipeline_name} "
               f"version {uploaded.version_name}")
    exp, created = session.ensure_experiment(experiment)
    click.echo(f"{'created' if created else 'using'} experiment {experiment}")
    run_obj, reused = deploy_run(session, exp.experiment_id, uploaded, values, new_run)
    if reused:
        click.echo(f"reusing run {run_obj.display_name} ({run_obj.run_id}), started earlier: {run_obj.state}")
    if spec is not None:
        recurring, action = ensure_recurring_run(session, exp.experiment_id, f"{uploaded.pipeline_name} schedule", spec,
                                                 uploaded.pipeline_id, uploaded.version_id, values, max_concurrency,
                                                 replace, follow_new_version=True)
        click.echo(f"{action} recurring run ({recurring.recurring_run_id}): {spec.describe()}")
    finish_run(session, run_obj, wait, wait_timeout, poll, as_json=False, reused=reused)
