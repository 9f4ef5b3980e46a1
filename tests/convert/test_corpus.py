"""Every example DAG shipped in the Airflow 3 wheels converts without a crash and compiles."""
import yaml

from kfmigrate.migrate.api import convert_file


def test_airflow_example_corpus_converts_and_compiles(example_files):
    dags = 0
    problems = []
    for path in example_files:
        result = convert_file(path, compile=True)
        if result.error is not None:
            problems.append(result.error.render())
            continue
        for conversion in result.conversions:
            dags += 1
            if conversion.yaml_text is None:
                problems.append(f"{path}: {conversion.dag_id}: " + "; ".join(d.render() for d in conversion.diagnostics if d.code == "KFM300"))
                continue
            spec = next(yaml.safe_load_all(conversion.yaml_text))
            assert spec["pipelineInfo"]["name"] == conversion.emitted.pipeline_name
            tasks = conversion.report.to_json()["tasks"]
            assert len(tasks) == len(conversion.workflow.tasks)
            # every task that has a KFP task is in the compiled spec (top level or inside a sub-DAG)
            spec_text = conversion.yaml_text
            for task in tasks:
                if task["kfp_task"]:
                    assert f"{task['kfp_task']}:" in spec_text, (path, task["task_id"], task["kfp_task"])
    assert not problems, "\n".join(problems)
    assert dags >= 90
