"""Re-create the schema files in this folder from their published sources (run by hand, not by tests).

Each output is a JSON Schema the loopback Kubernetes API server validates applied objects against:
- poddefault-kubeflow.org-v1alpha1.json  kubeflow/kubeflow components/admission-webhook/manifests/base/crd.yaml
- notebook-kubeflow.org-v1.json          kubeflow/kubeflow components/notebook-controller/config/crd/bases/kubeflow.org_notebooks.yaml
- authorizationpolicy-security.istio.io-v1beta1.json  istio/istio manifests/charts/base/files/crd-all.gen.yaml
- persistentvolumeclaim-v1.json          Kubernetes OpenAPI (kubernetes-client/python kubernetes/swagger.json.unprocessed),
                                         the PersistentVolumeClaim definition and everything it refers to.
Usage: python extract_schemas.py KUBEFLOW_GIT_DIR@COMMIT ISTIO_GIT_DIR@COMMIT K8S_PYTHON_GIT_DIR@COMMIT
"""
import json
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent


def git_show(spec, path):
    git_dir, commit = spec.split("@")
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def crd_schema(text, crd_name, version, source):
    for doc in yaml.safe_load_all(text):
        if doc and doc.get("kind") == "CustomResourceDefinition" and doc["metadata"]["name"] == crd_name:
            for v in doc["spec"]["versions"]:
                if v["name"] == version:
                    return {"source": source, "crd": crd_name, "version": version,
                            "scope": doc["spec"]["scope"], "plural": doc["spec"]["names"]["plural"],
                            "kind": doc["spec"]["names"]["kind"],
                            "schema": v["schema"]["openAPIV3Schema"]}
    raise SystemExit(f"{crd_name} {version} not found")


def openapi_closure(swagger, root, source):
    definitions, todo = {}, [root]
    while todo:
        name = todo.pop()
        if name in definitions:
            continue
        definitions[name] = swagger["definitions"][name]
        text = json.dumps(definitions[name])
        todo += [ref.split('"')[0] for ref in text.split('"$ref": "#/definitions/')[1:]]
    return {"source": source, "root": root, "definitions": definitions}


def main(kubeflow, istio, k8s_python):
    kubeflow_parent = kubeflow  # the last commit that still had these components (removed in #7739/#7743)
    outputs = {
        "poddefault-kubeflow.org-v1alpha1.json": crd_schema(
            git_show(kubeflow_parent, "components/admission-webhook/manifests/base/crd.yaml"),
            "poddefaults.kubeflow.org", "v1alpha1", f"kubeflow/kubeflow {kubeflow.split('@')[1]}"),
        "notebook-kubeflow.org-v1.json": crd_schema(
            git_show(kubeflow_parent, "components/notebook-controller/config/crd/bases/kubeflow.org_notebooks.yaml"),
            "notebooks.kubeflow.org", "v1", f"kubeflow/kubeflow {kubeflow.split('@')[1]}"),
        "authorizationpolicy-security.istio.io-v1beta1.json": crd_schema(
            git_show(istio, "manifests/charts/base/files/crd-all.gen.yaml"),
            "authorizationpolicies.security.istio.io", "v1beta1", f"istio/istio {istio.split('@')[1]}"),
        "persistentvolumeclaim-v1.json": openapi_closure(
            json.loads(git_show(k8s_python, "kubernetes/swagger.json.unprocessed")),
            "io.k8s.api.core.v1.PersistentVolumeClaim", f"kubernetes-client/python {k8s_python.split('@')[1]}"),
    }
    for name, data in outputs.items():
        (HERE / name).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(name, (HERE / name).stat().st_size)


if __name__ == "__main__":
    main(*sys.argv[1:])
