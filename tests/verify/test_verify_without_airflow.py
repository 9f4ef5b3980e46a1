"""`kfmigrate verify` where Airflow is not installed (a plain `pip install kfmigrate`): one clear line naming
the extra to install, exit 2, before anything is converted or written."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# sys.modules[name] = None is Python's own "this module is not installed here": imports and find_spec fail
WITHOUT_AIRFLOW = "import sys; sys.modules['airflow'] = None; from kfmigrate.cli import main; main()"


def test_verify_says_it_needs_the_airflow_extra(tmp_path):
    dag = ROOT / "samples" / "dags" / "hello_world.py"
    done = subprocess.run([sys.executable, "-c", WITHOUT_AIRFLOW, "verify", str(dag)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pip install 'kfmigrate[airflow]'" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no report written
