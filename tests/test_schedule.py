"""migrate/schedule.py: Airflow schedules -> KFP recurring-run triggers.

croniter (the cron library Airflow itself uses) is the independent referee: a converted schedule's
last five fields must fire at exactly the times the original Airflow cron fires.
"""
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from kfmigrate.migrate.diagnostics import CODES
from kfmigrate.migrate.ir import Schedule
from kfmigrate.migrate.schedule import (PRESETS, RecurringSpec, cron_option_to_kfp, five_to_six_fields, to_recurring,
                              to_rfc3339)

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def fire_times(five_field_cron, count=40):
    it = croniter(five_field_cron, START)
    return [it.get_next(datetime) for _ in range(count)]


def same_schedule(airflow_cron, kfp_cron):
    """True when KFP's six-field cron (seconds 0) fires when Airflow's five-field cron does."""
    seconds, rest = kfp_cron.split(" ", 1)
    assert seconds == "0"
    return fire_times(airflow_cron) == fire_times(rest)


# ---------------------------------------------------------------- presets
@pytest.mark.parametrize("preset, expected", [
    ("@hourly", "0 0 * * * *"),
    ("@daily", "0 0 0 * * *"),
    ("@weekly", "0 0 0 * * 0"),
    ("@monthly", "0 0 0 1 * *"),
    ("@quarterly", "0 0 0 1 */3 *"),
    ("@yearly", "0 0 0 1 1 *"),
    ("@annually", "0 0 0 1 1 *"),
])
def test_presets_become_six_field_crons(preset, expected):
    spec, notes = to_recurring(Schedule("preset", preset))
    assert spec.cron == expected
    assert spec.interval_second is None
    assert notes == []
    assert same_schedule(PRESETS[preset], spec.cron)


def test_preset_written_as_cron_kind_is_read_as_preset():
    spec, _ = to_recurring(Schedule("cron", "@daily"))
    assert spec.cron == "0 0 0 * * *"


@pytest.mark.parametrize("preset", ["@once", "@continuous"])
def test_once_and_continuous_have_no_kfp_form(preset):
    spec, notes = to_recurring(Schedule("preset", preset))
    assert spec is None
    assert [n.code for n in notes] == ["KFM207"]
    assert preset in notes[0].message


def test_unknown_preset_is_an_error():
    spec, notes = to_recurring(Schedule("preset", "@fortnightly"))
    assert spec is None and notes[0].code == "KFM207" and notes[0].severity == "error"


# ---------------------------------------------------------------- cron
@pytest.mark.parametrize("airflow, kfp", [
    ("0 0 * * *", "0 0 0 * * *"),
    ("*/15 * * * *", "0 */15 * * * *"),
    ("5 4 * * sun", "0 5 4 * * sun"),
    ("0 9-17 * * 1-5", "0 0 9-17 * * 1-5"),
    ("0 0,12 1,15 * *", "0 0 0,12 1,15 * *"),
    ("30 2 * JAN,JUL MON", "0 30 2 * JAN,JUL MON"),
    ("0 0 1 */3 *", "0 0 0 1 */3 *"),
    ("0 6 * * 7", "0 0 6 * * 0"),  # croniter's 7 (Sunday) is robfig's 0
    ("0 6 * * 5-7", "0 0 6 * * 5-6,0"),
    ("0 6 * * 0-7", "0 0 6 * * 0-6"),
    ("0 6 * * 1,7", "0 0 6 * * 1,0"),
    ("0 6 * * 6-7", "0 0 6 * * 6,0"),
    ("  0   0  *  *  * ", "0 0 0 * * *"),  # extra spaces are fine
    ("0-30/10 * * * *", "0 0-30/10 * * * *"),
    ("0 0 13 * 5", "0 0 0 13 * 5"),  # day-of-month OR day-of-week, same rule in both parsers
])
def test_cron_translation_keeps_fire_times(airflow, kfp):
    spec, notes = to_recurring(Schedule("cron", airflow))
    assert spec.cron == kfp
    assert notes == []
    assert same_schedule(airflow, kfp)


def test_croniter_six_fields_put_seconds_last_and_kfp_first():
    assert five_to_six_fields("0 12 * * * 30") == ("30 0 12 * * *", None)
    assert five_to_six_fields("0 12 * * * */5")[0] is None


@pytest.mark.parametrize("cron, reason", [
    ("0 0 L * *", "'L'"),
    ("0 0 LW * *", "'L'"),
    ("0 0 15W * *", "'W'"),
    ("0 12 * * MON#2", "'#'"),
    ("0 12 * * 5L", "'L'"),
    ("H 0 * * *", "'H'"),
    ("R 0 * * *", "'R'"),
    ("0 0 * *", "expected 5 cron fields, found 4"),
    ("0 0 * * * * 2025", "expected 5 cron fields, found 7"),
    ("61 0 * * *", "minute value 61 is outside 0-59"),
    ("0 24 * * *", "hour value 24 is outside 0-23"),
    ("0 0 0 * *", "day of month value 0 is outside 1-31"),
    ("0 0 * 13 *", "month value 13 is outside 1-12"),
    ("0 0 * * 8", "day of week value 8 is outside 0-7"),
    ("*/0 * * * *", "invalid step"),
    ("0 0 * * 1-7/2", "step that ends on 7"),
    ("0 0 * FOO *", "not understood"),
    ("1,,2 * * * *", "empty list item"),
])
def test_cron_kfp_cannot_express_returns_none_with_kfm207(cron, reason):
    spec, notes = to_recurring(Schedule("cron", cron))
    assert spec is None
    assert len(notes) == 1 and notes[0].code == "KFM207"
    assert reason in notes[0].message


# Standard five-field crons (no extensions): every one croniter accepts must translate, and fire at
# the same times.
def _field(low, high):
    number = st.integers(low, high).map(str)
    # strict ranges only: croniter (the referee) misreads a one-value range such as '6-6' or '7-7'
    rng = st.tuples(st.integers(low, high - 1), st.integers(1, high - low)).map(
        lambda p: f"{p[0]}-{min(high, p[0] + p[1])}")
    step = st.tuples(st.sampled_from(["*"]), st.integers(1, max(1, high - low))).map(lambda p: f"{p[0]}/{p[1]}")
    item = st.one_of(number, rng, step)
    return st.one_of(st.just("*"), st.lists(item, min_size=1, max_size=3).map(",".join))


@settings(max_examples=150, deadline=None, database=None)
@given(st.tuples(_field(0, 59), _field(0, 23), _field(1, 28), _field(1, 12), _field(0, 7)))
def test_any_standard_cron_translates_with_the_same_fire_times(fields):
    airflow = " ".join(fields)
    kfp, error = five_to_six_fields(airflow)
    assert error is None, error
    assert len(kfp.split()) == 6
    assert "7" not in kfp.split()[5].replace("/7", "")  # robfig's day of week stops at 6 (steps aside)
    assert same_schedule(airflow, kfp)


# ---------------------------------------------------------------- intervals
def test_timedelta_becomes_interval_second():
    spec, notes = to_recurring(Schedule("timedelta", 3600.0))
    assert spec == RecurringSpec(interval_second=3600, no_catchup=True, origin="3600.0")
    assert notes == []


def test_fractional_interval_is_rounded_with_a_note():
    spec, notes = to_recurring(Schedule("timedelta", 90.4, source="timedelta(seconds=90.4)"))
    assert spec.interval_second == 90
    assert notes[0].code == "KFM210" and "rounded" in notes[0].message
    assert spec.origin == "timedelta(seconds=90.4)"


@pytest.mark.parametrize("seconds", [0, 0.5, -60])
def test_interval_below_one_second_cannot_be_expressed(seconds):
    spec, notes = to_recurring(Schedule("timedelta", seconds))
    assert spec is None and notes[0].code == "KFM207"


def test_timedelta_without_a_number_is_an_error():
    spec, notes = to_recurring(Schedule("timedelta", "soon"))
    assert spec is None and notes[0].severity == "error"


# ---------------------------------------------------------------- what KFP cannot schedule
@pytest.mark.parametrize("kind, source, words", [
    ("asset", "[Asset('s3://bucket/raw')]", "asset"),
    ("timetable", "AfterWorkdayTimetable()", "custom timetable"),
    ("dynamic", "get_schedule()", "cannot be resolved statically"),
])
def test_non_clock_schedules_return_none_with_kfm207(kind, source, words):
    spec, notes = to_recurring(Schedule(kind, source, source=source))
    assert spec is None
    assert notes[0].code == "KFM207"
    assert words in notes[0].message and source in notes[0].message


def test_no_schedule_means_nothing_to_translate():
    assert to_recurring(Schedule("none")) == (None, [])


def test_unknown_kind_is_reported():
    spec, notes = to_recurring(Schedule("lunar"))
    assert spec is None and notes[0].severity == "error"


# ---------------------------------------------------------------- catchup and dates
@pytest.mark.parametrize("catchup", [True, False])
def test_catchup_is_the_opposite_of_no_catchup(catchup):
    for schedule in (Schedule("cron", "0 1 * * *", catchup=catchup), Schedule("timedelta", 60, catchup=catchup)):
        spec, _ = to_recurring(schedule)
        assert spec.no_catchup is (not catchup)


@pytest.mark.parametrize("given_date, expected, naive", [
    ("2024-03-01", "2024-03-01T00:00:00Z", True),
    ("2024-03-01T06:30:00", "2024-03-01T06:30:00Z", True),
    ("2024-03-01T06:30:00Z", "2024-03-01T06:30:00Z", False),
    ("2024-03-01T06:30:00+00:00", "2024-03-01T06:30:00Z", False),
    ("2024-03-01T06:30:00+02:00", "2024-03-01T04:30:00Z", False),
    ("2024-03-01 06:30:00-05:00", "2024-03-01T11:30:00Z", False),
])
def test_dates_become_rfc3339_utc(given_date, expected, naive):
    assert to_rfc3339(given_date) == (expected, None, naive)


def test_start_and_end_dates_are_carried_over():
    spec, notes = to_recurring(Schedule("cron", "0 1 * * *", start_date="2024-01-01T00:00:00Z",
                                        end_date="2024-12-31T00:00:00+00:00"))
    assert spec.start_time == "2024-01-01T00:00:00Z"
    assert spec.end_time == "2024-12-31T00:00:00Z"
    assert notes == []


def test_naive_start_date_is_read_as_utc_with_a_note():
    spec, notes = to_recurring(Schedule("timedelta", 60, start_date="2024-01-01"))
    assert spec.start_time == "2024-01-01T00:00:00Z"
    assert [n.code for n in notes] == ["KFM210"] and "UTC" in notes[0].message


def test_bad_date_is_left_out_with_a_warning():
    spec, notes = to_recurring(Schedule("cron", "0 1 * * *", end_date="next tuesday"))
    assert spec.end_time is None and spec.cron == "0 0 1 * * *"
    assert notes[0].severity == "warning" and "next tuesday" in notes[0].message


def test_cron_in_a_non_utc_zone_warns_about_the_controller_time_zone():
    spec, notes = to_recurring(Schedule("cron", "0 9 * * *", start_date="2024-01-01T00:00:00+02:00"))
    assert spec.start_time == "2023-12-31T22:00:00Z"
    assert any("CRON_SCHEDULE_TIMEZONE" in n.message for n in notes)
    # an interval does not depend on the wall clock: no such note
    _, interval_notes = to_recurring(Schedule("timedelta", 60, start_date="2024-01-01T00:00:00+02:00"))
    assert not any("CRON_SCHEDULE_TIMEZONE" in n.message for n in interval_notes)


# ---------------------------------------------------------------- --cron option and helpers
@pytest.mark.parametrize("given_cron, expected", [
    ("0 2 * * *", "0 0 2 * * *"),
    ("15 0 2 * * *", "15 0 2 * * *"),
    ("@hourly", "0 0 * * * *"),
    ("0 0 2 * * 7", "0 0 2 * * 0"),
])
def test_cron_option_accepts_five_six_fields_and_presets(given_cron, expected):
    assert cron_option_to_kfp(given_cron) == expected


@pytest.mark.parametrize("given_cron", ["@once", "0 0 L * *", "x 0 2 * * *", "1 2 3"])
def test_cron_option_rejects_what_kfp_cannot_run(given_cron):
    with pytest.raises(ValueError):
        cron_option_to_kfp(given_cron)


def test_describe_and_client_kwargs():
    spec, _ = to_recurring(Schedule("cron", "0 1 * * *", catchup=True, start_date="2024-01-01T00:00:00Z",
                                    source="'0 1 * * *'"))
    text = spec.describe()
    assert "cron '0 0 1 * * *'" in text and "catch-up on" in text and "from 2024-01-01T00:00:00Z" in text
    assert spec.client_kwargs() == {"cron_expression": "0 0 1 * * *", "interval_second": None,
                                    "no_catchup": False, "start_time": "2024-01-01T00:00:00Z", "end_time": None}


def test_codes_used_are_registered():
    for schedule in (Schedule("asset", "x"), Schedule("timedelta", 1.5), Schedule("cron", "0 0 * * *",
                                                                                   start_date="2024-01-01")):
        for note in to_recurring(schedule)[1]:
            assert note.code in CODES


def test_module_imports_nothing_heavy():
    code = ("import sys, kfmigrate.migrate.schedule; heavy = {'kfp', 'airflow', 'mlflow', 'kubernetes', 'libcst'} & "
            "{m.split('.')[0] for m in sys.modules}; print(sorted(heavy)); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
