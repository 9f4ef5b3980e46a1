"""`compare --kfp-host`: the KFP side submitted with the real kfp.Client to a cluster's REST API.

No Kubeflow cluster exists here, so the cluster is a loopback HTTP server on 127.0.0.1 that speaks
the published KFP v2beta1 contract (experiments, runs, run details with task timings) and records
what kfp.Client sent.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from compare_helpers import run_compare


class FakeKfp:
    def __init__(self):
        self.requests = []
        self.runs = {}
        self.polls = {}


def make_handler(state: FakeKfp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, body, code=200):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            state.requests.append(("GET", self.path, None))
            if self.path.startswith("/apis/v2beta1/experiments"):
                return self.reply({"experiments": [], "total_size": 0})
            if self.path.startswith("/apis/v2beta1/runs/"):
                run_id = self.path.rsplit("/", 1)[1].split("?")[0]
                return self.reply(self.run_status(run_id))
            return self.reply({"error": "not found"}, 404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(("POST", self.path, body))
            if self.path == "/apis/v2beta1/experiments":
                return self.reply({"experiment_id": "exp-1", "display_name": body["display_name"],
                                   "namespace": body.get("namespace", "")})
            if self.path == "/apis/v2beta1/runs":
                run_id = f"run-{len(state.runs) + 1}"
                state.runs[run_id] = body
                return self.reply({"run_id": run_id, "display_name": body["display_name"],
                                   "experiment_id": body["experiment_id"], "state": "PENDING"})
            return self.reply({"error": "not found"}, 404)

        def run_status(self, run_id):
            """RUNNING on the first poll, SUCCEEDED after; tasks 2 s apart, each running 1 s."""
            state.polls[run_id] = state.polls.get(run_id, 0) + 1
            body = state.runs[run_id]
            names = list(body["pipeline_spec"]["root"]["dag"]["tasks"])
            done = state.polls[run_id] > 1
            details = [{"display_name": "root", "state": "RUNNING", "start_time": "2026-01-02T10:00:00Z"},
                       {"display_name": "root-driver", "state": "SUCCEEDED", "start_time": "2026-01-02T10:00:00Z",
                        "end_time": "2026-01-02T10:00:01Z"}]
            for index, name in enumerate(names):
                details.append({"display_name": name, "task_id": f"t{index}",
                                "state": "SUCCEEDED" if done else "RUNNING",
                                "create_time": f"2026-01-02T10:00:{2 * index + 1:02d}Z",
                                "start_time": f"2026-01-02T10:00:{2 * index + 2:02d}Z",
                                "end_time": f"2026-01-02T10:00:{2 * index + 3:02d}Z" if done else None})
            return {"run_id": run_id, "display_name": body["display_name"], "experiment_id": body["experiment_id"],
                    "state": "SUCCEEDED" if done else "RUNNING", "created_at": "2026-01-02T10:00:00Z",
                    "finished_at": f"2026-01-02T10:00:{2 * len(names) + 4:02d}Z" if done else None,
                    "run_details": {"task_details": details}}

    return Handler


@pytest.fixture()
def fake_kfp():
    state = FakeKfp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


def test_compare_submits_to_the_cluster_and_reads_task_timings(fake_kfp, tmp_path):
    host, state = fake_kfp
    result = run_compare("scaling", "-o", str(tmp_path), "--engines", "kfp", "--kfp-host", host,
                         "--repeats", "2", "--sweep", "2:1:0", "--kfp-namespace", "team-a", "--no-probes")
    assert result.returncode == 0, result.stdout + result.stderr
    # kfp.Client created the experiment, then one run per repeat with the converted pipeline inline
    experiment_posts = [b for m, p, b in state.requests if m == "POST" and p == "/apis/v2beta1/experiments"]
    assert experiment_posts and experiment_posts[0]["display_name"] == "kfmigrate-compare"
    assert experiment_posts[0]["namespace"] == "team-a"
    assert len(state.runs) == 2
    submitted = state.runs["run-1"]
    assert submitted["display_name"] == "scaling_n2_w1_s0kb-1"
    tasks = submitted["pipeline_spec"]["root"]["dag"]["tasks"]
    # step_0 and step_1 share one component, so KFP names the second task after it (step-0-2)
    assert {"step-0", "step-0-2", "branch-0", "join", "produce-payload", "consume-payload"} <= set(tasks)
    # caching is off so that every repeat executes
    assert all(t.get("cachingOptions", {}).get("enableCache") in (False, None) for t in tasks.values())
    assert submitted["runtime_config"]["parameters"]["logical_date"] == "2026-01-02T00:00:00+00:00"

    results = json.loads((tmp_path / "results.json").read_text())
    assert results["settings"]["engines"] == ["kfp-cluster"]
    (point,) = results["points"]
    run = point["runs"][1]
    assert run["ok"] and run["engine"] == "kfp-cluster" and not run["cold"]
    assert run["engine_wall_seconds"] == 2 * 6 + 4  # finished_at - created_at as the API reported
    timings = run["timings"]["tasks"]
    # the cluster's names mapped back to the Airflow task ids; drivers and the root left out
    assert set(timings) == {"step_0", "step_1", "branch_0", "join", "produce_payload", "consume_payload"}
    assert all(abs(t["run_seconds"] - 1.0) < 1e-6 for t in timings.values())
    assert point["agreement"]["ok"]
    report = (tmp_path / "report.md").read_text()
    assert "KFP (cluster)" in report
    # the cluster's measured per-task figures replace the cost model's KFP rows
    assert "**Measured on the cluster** (`--kfp-host`)" in report
    assert report.count("replaced by the cluster measurement below") == 2


def test_an_unreachable_cluster_is_a_failed_run_with_the_reason(tmp_path):
    result = run_compare("scaling", "-o", str(tmp_path), "--engines", "kfp", "--kfp-host", "http://127.0.0.1:9",
                         "--repeats", "1", "--sweep", "1:1:0", "--timeout", "60", "--no-probes")
    assert result.returncode == 1
    results = json.loads((tmp_path / "results.json").read_text())
    (run,) = results["points"][0]["runs"]
    assert run["state"] == "error" and "Connection refused" in run["error"]
    assert "Traceback" not in result.stderr
