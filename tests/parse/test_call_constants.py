"""A call the interpreter does not evaluate keeps its source for the mappers, with each module
constant written as the value in force where the call runs (issue 14, item 16)."""
import textwrap

from kfmigrate.migrate.parse import parse_source

SOURCE = textwrap.dedent('''
    from airflow import DAG
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.providers.cncf.kubernetes.secret import Secret
    from kubernetes.client import models as k8s

    name = "first"
    first = Secret("env", "A", name, "key")
    name = "second"
    ref = k8s.V1EnvVarSource(secret_key_ref=k8s.V1SecretKeySelector(name=name, key="k"))
    enabled = True

    with DAG("consts", schedule=None):
        KubernetesPodOperator(task_id="t", image="busybox", secrets=[first, Secret("env", "B", name, "key")],
                              env_vars=[k8s.V1EnvVar(name="C", value_from=ref)], do_xcom_push=enabled)
''')


def test_constants_are_resolved_at_the_call_site():
    (workflow,) = parse_source(SOURCE, "consts.py").workflows
    task = workflow.task("t")
    first, second = task.args["secrets"].items
    assert first.source == """Secret("env", "A", 'first', "key")"""
    assert second.source == """Secret("env", "B", 'second', "key")"""
    (env,) = task.args["env_vars"].items
    assert "V1SecretKeySelector(name='second', key=\"k\")" in env.source


def test_a_call_without_constants_keeps_its_source_as_written():
    text = SOURCE.replace("Secret(\"env\", \"B\", name, \"key\")", "Secret(\"env\", \"B\", \"lit\",  key=None)")
    (workflow,) = parse_source(text, "consts.py").workflows
    assert workflow.task("t").args["secrets"].items[1].source == 'Secret("env", "B", "lit",  key=None)'
