from datetime import timedelta

OWNER = "data-platform"


def default_args(owner=OWNER, retries=1):
    """Every team's DAGs share these defaults."""
    return {"owner": owner, "retries": retries, "retry_delay": timedelta(minutes=5)}
