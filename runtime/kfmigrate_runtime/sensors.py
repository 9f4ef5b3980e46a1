"""Sensors: poke mode as BaseSensorOperator runs it.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_sensor(airflow, poke, poke_interval=60.0, timeout=604800.0, soft_fail=False, exponential_backoff=False,
                    max_wait=None, silent_fail=False, never_fail=False):
    """Poll `poke()` the way BaseSensorOperator.execute does (poke mode); return (XCom values, skipped).

    poke returns a truth value, or an object with is_done/xcom_value (PokeReturnValue). Past
    `timeout` seconds the sensor fails, or is skipped with soft_fail. Exponential backoff uses
    Airflow's formula (doubling from poke_interval, hash jitter, capped by max_wait and the timeout).
    """
    import hashlib
    import time
    import traceback

    class AirflowSensorTimeout(airflow.AirflowException):
        """The sensor ran out of time (Airflow does not retry it; KFP retries it if retries are set)."""

    started = time.monotonic()
    poke_count = 1
    while True:
        try:
            returned = poke()
        except airflow.AirflowSkipException as skip:
            print(f"Task skipped: {skip}")
            return {}, True
        except (AirflowSensorTimeout, airflow.AirflowFailException, TimeoutError):
            if soft_fail or never_fail:
                print("Skipping due to soft_fail/never_fail.")
                return {}, True
            raise
        except Exception:
            if silent_fail:
                print("Sensor poke failed:\n" + traceback.format_exc())
                returned = False
            elif never_fail:
                print("Skipping due to never_fail is set to True.")
                return {}, True
            else:
                raise
        if hasattr(returned, "is_done") and hasattr(returned, "xcom_value"):
            if returned.is_done:
                print("Success criteria met. Exiting.")
                return dict(airflow.pushed, return_value=returned.xcom_value), False
        elif returned:
            print("Success criteria met. Exiting.")
            return dict(airflow.pushed, return_value=None), False
        duration = time.monotonic() - started
        if duration > timeout:
            message = f"Sensor has timed out; run duration of {duration} seconds exceeds the specified timeout of {timeout}."
            if soft_fail:
                print(message + " Skipping (soft_fail).")
                return {}, True
            raise AirflowSensorTimeout(message)
        interval = poke_interval
        if exponential_backoff:
            context = airflow.context
            min_backoff = max(int(poke_interval * (2 ** (poke_count - 2))), 1)
            seed = f"{context['dag'].dag_id}#{context['task'].task_id}#{started}#{poke_count}".encode()
            run_hash = int(hashlib.sha1(seed).hexdigest(), 16)
            interval = min(timeout - int(time.monotonic() - started), min_backoff + run_hash % min_backoff)
            if max_wait:
                interval = min(max_wait, interval)
        print(f"Not met yet; poking again in {interval} s")
        time.sleep(max(interval, 0))
        poke_count += 1
