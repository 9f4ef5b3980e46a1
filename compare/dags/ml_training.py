"""ml_training: the workload `kfmigrate compare` runs by default.

A small but real scikit-learn training pipeline on a dataset shipped inside scikit-learn (nothing is
downloaded): load, split, preprocess, train several candidate models in parallel (dynamic task
mapping), evaluate them on the held-out split, pick the best, and register it.

Plain Airflow 3 TaskFlow on purpose: `kfmigrate convert` turns this same file into the Kubeflow side
of the comparison. Data and fitted models are files under `work_dir` (a param; a shared volume on a
cluster); what passes between tasks is small JSON (paths, names, metrics), as Airflow's XCom and
KFP's parameters both expect: KFP hands every parameter to the task as one command-line argument,
which Linux caps at 128 KiB. Seeds are fixed, so both engines pick the same model with the same
metrics and byte-identical model files.

Tracking: with `mlflow_tracking_uri` set, `register` logs one parent MLflow run with a nested run per
candidate (params and test metrics) and logs and registers the best model. Left empty, nothing is
sent to MLflow and the same figures are only in the task results.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

# The candidates trained in parallel, one mapped task instance each.
CANDIDATES = ["logistic_regression", "random_forest", "gradient_boosting", "svc"]

# Metrics computed on the test split; the first one decides which model wins.
SELECTION_METRIC = "roc_auc"


def build_model(model_name, seed):
    """A fresh, unfitted estimator for a candidate name, with a fixed seed."""
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    if model_name == "logistic_regression":
        return LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
    if model_name == "random_forest":
        return RandomForestClassifier(n_estimators=100, max_depth=6, random_state=seed)
    if model_name == "gradient_boosting":
        return GradientBoostingClassifier(n_estimators=100, learning_rate=0.1, max_depth=3, random_state=seed)
    if model_name == "svc":
        return SVC(C=1.0, kernel="rbf", random_state=seed)
    raise ValueError(f"unknown candidate model {model_name!r}")


def work_path(work_dir, name):
    """A file under the shared work directory (a temp dir when the param is empty)."""
    import os
    import tempfile

    base = work_dir or os.path.join(tempfile.gettempdir(), "kfmigrate-ml-training")
    os.makedirs(base, exist_ok=True)
    return os.path.join(base, name)


def file_sha256(path):
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def sqlite_artifact_location(tracking_uri):
    """Keep MLflow artifacts beside a SQLite store instead of ./mlruns in whatever the cwd is."""
    import os

    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix):
        return None  # a tracking server decides where artifacts go
    db_path = tracking_uri[len(prefix):]
    return "file://" + os.path.join(os.path.dirname(os.path.abspath(db_path)), "mlartifacts")


@dag(
    dag_id="ml_training",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["kfmigrate", "workload"],
    description="Train candidate models in parallel on a scikit-learn dataset, pick and register the best.",
    params={
        "dataset": Param("breast_cancer", type="string", description="scikit-learn bundled dataset"),
        "seed": Param(42, type="integer", description="seed for the split and every model"),
        "test_size": Param(0.25, type="number", description="fraction held out for evaluation"),
        "work_dir": Param("", type="string", description="shared directory for data and model files"),
        "mlflow_tracking_uri": Param("", type="string", description="MLflow tracking URI; empty: no tracking"),
        "mlflow_experiment": Param("kfmigrate-ml-training", type="string"),
        "registered_model_name": Param("kfmigrate-ml-training-best", type="string"),
    },
)
def ml_training():
    @task
    def load_dataset(dataset: str, work_dir: str) -> dict:
        """Load a dataset that ships inside scikit-learn (no download) and store it."""
        import numpy as np
        from sklearn import datasets

        loaders = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}
        if dataset not in loaders:
            raise ValueError(f"unknown dataset {dataset!r}; choose one of {sorted(loaders)}")
        bunch = loaders[dataset]()
        path = work_path(work_dir, "raw.npz")
        np.savez(path, features=bunch.data, target=bunch.target)
        return {"path": path, "rows": int(bunch.data.shape[0]), "columns": int(bunch.data.shape[1]),
                "sha256": file_sha256(path)}

    @task
    def split_data(raw: dict, test_size: str, seed: str) -> dict:
        """Stratified train/test split with a fixed seed."""
        import numpy as np
        from sklearn.model_selection import train_test_split

        data = np.load(raw["path"])
        x_train, x_test, y_train, y_test = train_test_split(
            data["features"], data["target"], test_size=float(test_size),
            random_state=int(seed), stratify=data["target"],
        )
        path = raw["path"].replace("raw.npz", "split.npz")
        np.savez(path, x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test)
        return {"path": path, "train_rows": len(y_train), "test_rows": len(y_test)}

    @task
    def preprocess(split: dict) -> dict:
        """Standardise features with statistics from the training split only."""
        import numpy as np
        from sklearn.preprocessing import StandardScaler

        data = np.load(split["path"])
        scaler = StandardScaler().fit(data["x_train"])
        path = split["path"].replace("split.npz", "prepared.npz")
        np.savez(path, x_train=scaler.transform(data["x_train"]), x_test=scaler.transform(data["x_test"]),
                 y_train=data["y_train"], y_test=data["y_test"])
        return {"path": path, "sha256": file_sha256(path)}

    @task
    def train_candidate(model_name: str, data: dict, seed: str) -> dict:
        """Fit one candidate and save it as a pickle file next to the data."""
        import pickle

        import numpy as np

        arrays = np.load(data["path"])
        model = build_model(model_name, int(seed))
        model.fit(arrays["x_train"], arrays["y_train"])
        path = data["path"].replace("prepared.npz", f"model_{model_name}.pkl")
        with open(path, "wb") as handle:
            pickle.dump(model, handle)
        return {
            "model_name": model_name,
            "params": {key: str(value) for key, value in sorted(model.get_params().items())},
            "train_accuracy": float(model.score(arrays["x_train"], arrays["y_train"])),
            "model_path": path,
            "model_sha256": file_sha256(path),
        }

    @task
    def evaluate(candidates: list, data: dict) -> list:
        """Score every fitted candidate on the held-out split."""
        import pickle

        import numpy as np
        from sklearn import metrics

        arrays = np.load(data["path"])
        x_test, y_test = arrays["x_test"], arrays["y_test"]
        scores = []
        for candidate in candidates:
            with open(candidate["model_path"], "rb") as handle:
                model = pickle.load(handle)
            predicted = model.predict(x_test)
            if hasattr(model, "predict_proba"):
                ranking = model.predict_proba(x_test)[:, 1]
            else:
                ranking = model.decision_function(x_test)
            scores.append({
                "model_name": candidate["model_name"],
                "metrics": {
                    "roc_auc": float(metrics.roc_auc_score(y_test, ranking)),
                    "accuracy": float(metrics.accuracy_score(y_test, predicted)),
                    "f1": float(metrics.f1_score(y_test, predicted)),
                    "precision": float(metrics.precision_score(y_test, predicted)),
                    "recall": float(metrics.recall_score(y_test, predicted)),
                },
            })
        return sorted(scores, key=lambda score: score["model_name"])

    @task
    def pick_best(scores: list) -> dict:
        """Highest selection metric wins; ties go to accuracy, then to the name, so it is deterministic."""
        ranked = sorted(
            scores,
            key=lambda s: (-s["metrics"][SELECTION_METRIC], -s["metrics"]["accuracy"], s["model_name"]),
        )
        return {"model_name": ranked[0]["model_name"], "metrics": ranked[0]["metrics"],
                "selection_metric": SELECTION_METRIC, "ranking": [s["model_name"] for s in ranked]}

    @task
    def register(best: dict, candidates: list, scores: list, dataset: str, seed: str, test_size: str,
                 tracking_uri: str, experiment: str, registered_model_name: str) -> dict:
        """Track every candidate in MLflow and register the best model (skipped without a URI)."""
        import pickle

        chosen = [c for c in candidates if c["model_name"] == best["model_name"]][0]
        result = {
            "model_name": best["model_name"],
            "metrics": best["metrics"],
            "model_sha256": chosen["model_sha256"],
            "tracking_uri": tracking_uri,
            "mlflow_run_id": "",
            "model_uri": "",
            "registered_version": "",
        }
        if not tracking_uri:
            return result

        import mlflow
        import mlflow.sklearn
        import sklearn

        mlflow.set_tracking_uri(tracking_uri)
        if mlflow.get_experiment_by_name(experiment) is None:
            mlflow.create_experiment(experiment, artifact_location=sqlite_artifact_location(tracking_uri))
        mlflow.set_experiment(experiment)
        metrics_by_model = {s["model_name"]: s["metrics"] for s in scores}
        with open(chosen["model_path"], "rb") as handle:
            model = pickle.load(handle)
        with mlflow.start_run(run_name="ml_training") as parent:
            mlflow.log_params({"dataset": dataset, "seed": int(seed), "test_size": float(test_size),
                               "candidates": ",".join(sorted(metrics_by_model))})
            for candidate in candidates:
                with mlflow.start_run(run_name=candidate["model_name"], nested=True):
                    mlflow.log_params(candidate["params"])
                    mlflow.log_metrics(metrics_by_model[candidate["model_name"]])
                    mlflow.log_metric("train_accuracy", candidate["train_accuracy"])
            mlflow.log_metrics(best["metrics"])
            mlflow.set_tag("best_model", best["model_name"])
            info = mlflow.sklearn.log_model(
                model, name="model", registered_model_name=registered_model_name,
                pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
            )
        result.update(mlflow_run_id=parent.info.run_id, model_uri=info.model_uri,
                      registered_version=str(info.registered_model_version or ""))
        return result

    raw = load_dataset("{{ params.dataset }}", "{{ params.work_dir }}")
    split = split_data(raw, "{{ params.test_size }}", "{{ params.seed }}")
    prepared = preprocess(split)
    # One mapped task instance per candidate (dynamic task mapping); kfmigrate turns it into a
    # dsl.ParallelFor whose results evaluate() receives collected, as Airflow's mapped XComs.
    trained = train_candidate.partial(data=prepared, seed="{{ params.seed }}").expand(model_name=CANDIDATES)
    scores = evaluate(trained, prepared)
    best = pick_best(scores)
    register(best, trained, scores, "{{ params.dataset }}", "{{ params.seed }}", "{{ params.test_size }}",
             "{{ params.mlflow_tracking_uri }}", "{{ params.mlflow_experiment }}",
             "{{ params.registered_model_name }}")


ml_training()
