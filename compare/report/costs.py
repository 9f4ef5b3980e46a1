"""The report's cost sections: where per-task overhead comes from (measured), the cluster cost model
(measured parts plus published figures, labelled as a model), and each stack's operational footprint
(from the install manifests).

Measured parts come from the run itself: the probes (kfmigrate.compare.probes) and the per-task figures of the
runs. Published parts come from compare/cluster_model.yaml and compare/footprint.yaml, data files with
their sources; nothing here invents a figure. The two kinds are kept in separate columns.
"""
from __future__ import annotations

from pathlib import Path

from kfmigrate.compare.probes import median
from kfmigrate.compare.report.document import Heading, Para, Table
from kfmigrate.compare.report.figures import representative_run, seconds, spread

DATA = Path(__file__).resolve().parent.parent  # compare/: the data files with their sources


def load_data(name: str) -> dict:
    import yaml

    return yaml.safe_load((DATA / name).read_text())


def task_figures(results: dict, engine: str) -> dict:
    """Per task, over the representative run of every point: start latency and run time summaries."""
    from kfmigrate.compare.measure import summarize

    latencies, runs = [], []
    for point in results["points"]:
        run = representative_run(point, engine)
        for task in (run or {}).get("timings", {}).get("tasks", {}).values() if run else ():
            if task["state"] == "succeeded":
                latencies.append(task["start_latency"])
                runs.append(task["run_seconds"])
    return {"start_latency": summarize(latencies), "run_seconds": summarize(runs)}


def _less(a, b):
    """a - b, or None when either is missing (an import's own cost: the probe minus a bare start)."""
    return None if a is None or b is None else max(0.0, a - b)


def probe_parts(results: dict) -> dict:
    probes = results.get("probes") or {}
    start = median(probes, "python_start")
    return {"start": start, "kfp_import": _less(median(probes, "kfp_executor_import"), start),
            "airflow_import": _less(median(probes, "airflow_task_import"), start),
            "pip_check": median(probes, "pip_check_kfp"), "pip_install": median(probes, "pip_install_kfp")}


def overhead_blocks(results: dict) -> list:
    """Why a trivial task costs what it costs on each side, from parts measured in this run."""
    probes = results.get("probes") or {}
    engines = results["settings"]["engines"]
    titles = results.get("engine_titles", {})
    blocks = [Heading("Where per-task overhead comes from")]
    if not probes:
        return blocks + [Para("Not measured in this run (`--no-probes`).")]
    parts = probe_parts(results)
    rows = [[name.replace("_", " "), facts["what"], spread(facts["wall"]) if not facts["error"] else f"not measured: {facts['error']}",
             spread(facts["cpu"], lambda v: f"{v:.2f} CPU s") if not facts["error"] else "-"]
            for name, facts in probes.items()]
    blocks.append(Table(["probe", "what it runs", "wall: median (min - max, n)", "CPU"], rows,
                        "Small probes run by this compare, on this machine, after the workload runs."))
    measured = {e: task_figures(results, e) for e in engines}
    lines = []
    if "kfp" in engines:
        kfp = measured["kfp"]
        lines.append(
            f"**{titles.get('kfp', 'kfp')}**: every task is a new process (`sh -c` then Python: "
            f"{seconds(parts['start'])}) that imports kfp's executor ({seconds(parts['kfp_import'])} more) before the "
            f"task's function and its own imports run; a task here took {spread(kfp['run_seconds'])} "
            f"and started {spread(kfp['start_latency'])} after its upstream ended. As kfp ships it, kfp.local also runs "
            f"`pip install kfp` before each task ({seconds(parts['pip_check'])} when kfp is already there); compare's "
            "engine leaves that out, as a project image would. This time is inside each task's interval, so it "
            "counts as task run time, not as time with no task running: that figure favours KFP for this reason.")
    if "airflow" in engines:
        airflow = measured["airflow"]
        lines.append(
            f"**{titles.get('airflow', 'airflow')}**: `dag.test()` runs every task inside its own process, so a "
            "task pays no process start and no imports (they are paid once per run, before the first task: that is "
            f"the time with no task running). A task here took {spread(airflow['run_seconds'])} and started "
            f"{spread(airflow['start_latency'])} after its upstream ended.")
    if "airflow-scheduler" in engines:
        sched = measured["airflow-scheduler"]
        lines.append(
            f"**{titles.get('airflow-scheduler')}**: a task starts when a scheduler loop has seen its upstream end "
            "and a LocalExecutor worker has started the task process, which imports the Task SDK "
            f"({seconds(parts['airflow_import'])} in a new process) and calls the api-server; measured start "
            f"latency {spread(sched['start_latency'])}, run time {spread(sched['run_seconds'])}.")
    else:
        lines.append(
            "Under a real scheduler (not run here: `--airflow-mode scheduler`) each Airflow task is a new process "
            f"importing the Task SDK ({seconds(parts['airflow_import'])} on top of the {seconds(parts['start'])} "
            "process start) after a scheduler loop has queued it; the scheduler loop itself was not measured.")
    if parts["pip_install"] is not None:
        lines.append(f"A pod from a plain Python image installs kfp before every task: {seconds(parts['pip_install'])} "
                     "measured here into an empty folder, with a warm pip cache; a project image "
                     "(`kfmigrate convert --image`) removes it.")
    return blocks + [Para(line) for line in lines]


def _value(value, prefix: str = "") -> str:
    return "-" if value is None else f"{prefix}{seconds(value)}"


def cost_model_blocks(results: dict) -> list:
    """Per-task overhead on a cluster: a model from measured parts and published figures, never mixed."""
    published = load_data("cluster_model.yaml")["published"]
    parts = probe_parts(results)
    pod, pull = published["pod_start"]["seconds"], published["image_pull"]["seconds"]
    kfp_pods, airflow_pods = published["kfp_pods_per_task"]["count"], published["airflow_pods_per_task"]["count"]
    engines = results["settings"]["engines"]
    sched = task_figures(results, "airflow-scheduler")["start_latency"]["median"] if "airflow-scheduler" in engines else None
    executor = None if parts["start"] is None else parts["start"] + (parts["kfp_import"] or 0)
    airflow_task = None if parts["start"] is None else parts["start"] + (parts["airflow_import"] or 0)

    def total(measured, pods):
        if measured is None:
            return "-"
        return f"{seconds(measured)} + up to {pods * pod:.0f} s (+ {pods * pull:.0f} s when the image is not on the node)"

    no_image = None if executor is None or parts["pip_install"] is None else executor + parts["pip_install"]
    if sched is not None:  # a task's start under the scheduler already holds its process start and imports
        airflow_text, airflow_task = f"start latency under the scheduler {seconds(sched)} (loop, process, imports)", sched
    else:
        airflow_text = f"process + Task SDK import {_value(airflow_task)} + scheduler loop (not measured)"
    rows = [
        ["KFP, lightweight component from a plain Python image (pip per pod)",
         f"process + kfp executor import {_value(executor)}; pip install kfp {_value(parts['pip_install'])}",
         f"{kfp_pods} pods (driver, executor): up to {pod:.0f} s each; image pull ~{pull:.0f} s if not cached",
         total(no_image, kfp_pods)],
        ["KFP with a project image (`convert --image`, no installs)",
         f"process + kfp executor import {_value(executor)}",
         f"{kfp_pods} pods: up to {pod:.0f} s each; image pull ~{pull:.0f} s if not cached",
         total(executor, kfp_pods)],
        ["Airflow, KubernetesExecutor (a pod per task)", airflow_text,
         f"{airflow_pods} pod: up to {pod:.0f} s; image pull ~{pull:.0f} s if not cached",
         total(airflow_task, airflow_pods)],
        ["Airflow, Celery or Local workers (long-running)", airflow_text, "no pod per task",
         "-" if airflow_task is None else seconds(airflow_task)],
    ]
    cluster = task_figures(results, "kfp-cluster") if "kfp-cluster" in engines else None
    blocks = [Heading("Cluster cost model (a model, not a measurement)")]
    if cluster and cluster["start_latency"]["n"]:
        rows[0][3] = rows[1][3] = "replaced by the cluster measurement below"
        blocks.append(Para(
            f"**Measured on the cluster** (`--kfp-host`): per task, start latency {spread(cluster['start_latency'])}, "
            f"run time {spread(cluster['run_seconds'])}. These replace the model's KFP rows."))
    blocks += [
        Para("Per-task overhead on a Kubernetes cluster, built from parts measured in this run (probes on this "
             "machine) and published figures (each cited below). It is an estimate for planning; the measured "
             "local figures further down are what this run observed, and the two are never added together."),
        Table(["setup", "measured here (per task)", "published (per task)", "model: overhead per task"], rows),
        Table(["published figure", "value", "kind", "source"],
              [[item.get("what"), f"{item['seconds']:.0f} s" if "seconds" in item else str(item["count"]),
                item.get("kind", "count"), " ".join(str(item["source"]).split())] for item in published.values()]),
    ]
    local = []
    for engine in engines:
        figures = task_figures(results, engine)
        if figures["run_seconds"]["n"]:
            local.append([results.get("engine_titles", {}).get(engine, engine), spread(figures["start_latency"]),
                          spread(figures["run_seconds"])])
    if local:
        blocks.append(Table(["measured locally (not part of the model)", "start latency per task", "run time per task"],
                            local, "Over every task of each point's representative run."))
    return blocks


def footprint_blocks() -> list:
    """The services each stack runs and what the documented manifests ask for them."""
    data = load_data("footprint.yaml")
    sources = data["sources"]
    rows = []
    for stack in data["stacks"]:
        for service in stack["services"]:
            rows.append([stack["name"], service["service"], service["role"], service["cpu"], service["memory"],
                         service["storage"], f"{sources[service['source']]['label']}: `{service['path']}`"])
    totals = [[t["component"], t["cpu"], t["memory"], t["storage"]] for t in data["readme_totals"]]
    return [
        Heading("Operational footprint of each stack"),
        Para("What a deployment runs, and the CPU/memory each service requests in the documented install "
             "manifests (Kubernetes resource requests; \"none set\" means the manifest leaves them to you, which the "
             "Airflow Helm chart does for every Airflow component). Copied from the files named, not measured here; "
             "sources with versions are listed in docs/compare.md."),
        Table(["stack", "service", "what it does", "CPU request", "memory request", "storage", "source"], rows,
              "Sources: " + "; ".join(f"{s['label']}: {s['title']} ({s['where']})" for s in sources.values()
                                      if s["label"] != "README") + "."),
        Table(["Kubeflow component", "CPU", "memory", "PVC storage"], totals,
              f"{sources['kubeflow-readme']['title']} ({sources['kubeflow-readme']['where']})."),
    ]
