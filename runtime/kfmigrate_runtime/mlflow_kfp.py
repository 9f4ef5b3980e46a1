"""What a task logs to MLflow, recorded into its KFP Metrics and Model artifacts.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _mlflow_to_kfp(metrics, model=None):
    """Record what the task logs to MLflow into its KFP artifacts: `with _mlflow_to_kfp(metrics, model): ...`.

    The MLflow calls still go to MLflow: to MLFLOW_TRACKING_URI when it is set (or to the URI the
    task sets itself); otherwise to a throw-away file store in the task's temp dir (set with
    mlflow.set_tracking_uri, the environment is left alone), so the KFP artifacts are the lasting record. When the block ends, the metrics of the runs the task
    started are logged into `metrics` (a nested run's as "<run name>/<key>"), its runs' params,
    metrics, tags and artifact paths are written to metrics.path as JSON, and the last model logged with
    mlflow.<flavor>.log_model is copied into model.path (an MLflow model directory) with its
    flavor, run id and model URI as metadata. mlflow is patched only if the task imports it
    (importing mlflow takes seconds).
    """
    import importlib.abc
    import json
    import os
    import sys
    import tempfile
    import urllib.parse

    started_runs = []  # run ids, in start order
    logged_models = []  # (flavor, ModelInfo, registered model name)

    def patch(module):
        """Wrap mlflow.start_run and mlflow.<flavor>.log_model so we know what the task logged."""
        name = module.__name__
        if name == "mlflow" and not hasattr(module.start_run, "kfmigrate_original"):
            if not os.environ.get("MLFLOW_TRACKING_URI"):
                # MLflow's own default is ./mlflow.db in whatever the cwd is; the KFP artifacts keep the results
                store = os.path.join(tempfile.mkdtemp(prefix="kfmigrate-mlflow-"), "mlruns")  # MLflow creates it
                os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # a file store starts in 0.1 s, SQLite in seconds
                module.set_tracking_uri("file://" + store)
            start_run = module.start_run

            def recorded_start_run(*args, **kwargs):
                active = start_run(*args, **kwargs)
                started_runs.append(active.info.run_id)
                return active

            recorded_start_run.kfmigrate_original = start_run
            module.start_run = recorded_start_run
        log_model = getattr(module, "log_model", None)
        if name.count(".") == 1 and callable(log_model) and not hasattr(log_model, "kfmigrate_original"):
            flavor = name.split(".", 1)[1]

            def recorded_log_model(*args, **kwargs):
                info = log_model(*args, **kwargs)
                logged_models.append((flavor, info, kwargs.get("registered_model_name")))
                return info

            recorded_log_model.kfmigrate_original = log_model
            module.log_model = recorded_log_model

    class PatchOnImport(importlib.abc.MetaPathFinder):
        """Patches mlflow and its flavor modules (mlflow.sklearn ...) right after they are imported."""

        def find_spec(self, fullname, path, target=None):
            if fullname != "mlflow" and not (fullname.startswith("mlflow.") and fullname.count(".") == 1):
                return None
            for finder in sys.meta_path:
                if finder is not self and hasattr(finder, "find_spec"):
                    spec = finder.find_spec(fullname, path, target)
                    if spec is not None:
                        break
            else:
                return None
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run_module = spec.loader.exec_module

                def exec_module(module):
                    run_module(module)
                    patch(module)

                spec.loader.exec_module = exec_module
            return spec

    def without_credentials(uri):
        parts = urllib.parse.urlsplit(uri)
        if parts.password or parts.username:
            parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
        return urllib.parse.urlunsplit(parts)

    def run_record(client, run_id):
        run = client.get_run(run_id)
        return {
            "run_id": run_id, "run_name": run.info.run_name, "experiment_id": run.info.experiment_id,
            "parent_run_id": run.data.tags.get("mlflow.parentRunId"), "status": run.info.status,
            "params": dict(run.data.params), "metrics": dict(run.data.metrics),
            "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
            "artifacts": [f.path for f in client.list_artifacts(run_id)],  # log_artifact(s), log_text ...
        }

    def record(mlflow):
        runs = list(dict.fromkeys(started_runs))
        last = mlflow.last_active_run()  # a run the fluent API started implicitly (log_metric without start_run)
        if last is not None and last.info.run_id not in runs:
            runs.append(last.info.run_id)
        client = mlflow.MlflowClient()
        records = [run_record(client, run_id) for run_id in runs]
        ids = {r["run_id"] for r in records}
        top = [r for r in records if r["parent_run_id"] not in ids]
        for r in records:
            prefix = "" if (len(top) == 1 and r is top[0]) else f"{r['run_name'] or r['run_id']}/"
            for key, value in sorted(r["metrics"].items()):
                metrics.log_metric(prefix + key, value)
        summary = {"tracking_uri": without_credentials(mlflow.get_tracking_uri()), "runs": records}
        if logged_models and model is not None:
            flavor, info, registered_name = logged_models[-1]
            import mlflow.artifacts

            os.makedirs(model.path, exist_ok=True)
            mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=model.path)
            model.metadata.update({
                "flavor": flavor, "mlflow_run_id": info.run_id or "", "mlflow_model_uri": info.model_uri,
                "registered_model_name": registered_name or "",
                "registered_model_version": str(getattr(info, "registered_model_version", None) or ""),
                "models_logged": len(logged_models),
            })
            summary["models"] = [{"flavor": f, "model_uri": i.model_uri, "run_id": i.run_id} for f, i, _n in logged_models]
        return summary

    class Recording:
        def __enter__(self):
            self.finder = PatchOnImport()
            sys.meta_path.insert(0, self.finder)
            for module in [m for name, m in list(sys.modules.items()) if name == "mlflow" or name.startswith("mlflow.")]:
                patch(module)
            return self

        def __exit__(self, error_type, error, traceback):
            sys.meta_path.remove(self.finder)
            if error_type is not None:
                return False  # the task failed: its outputs do not count
            mlflow = sys.modules.get("mlflow")
            summary = record(mlflow) if mlflow is not None else {"runs": []}
            with open(metrics.path, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
            if summary["runs"]:
                print(f"MLflow: {len(summary['runs'])} run(s) recorded into the KFP artifacts "
                      f"({len(metrics.metadata)} metrics" + (", 1 model)" if summary.get("models") else ")"))
            return False

    return Recording()
