"""Translate an Airflow DAG schedule (as written, see ir.Schedule) into a KFP recurring run.

KFP recurring runs (v2beta1 `RecurringRun.trigger`) know two triggers: a cron schedule parsed by
robfig/cron v1 (six fields, seconds first, evaluated in the scheduled-workflow controller's time zone,
CRON_SCHEDULE_TIMEZONE, UTC by default) and a periodic schedule (`interval_second`). Both take an
optional start and end time; `no_catchup` decides whether missed intervals are backfilled.

Airflow 3 turns a cron string or preset into a CronTriggerTimetable and a timedelta into a
DeltaTriggerTimetable by default: the logical date is the trigger time, as on KFP. Asset schedules,
custom timetables, @once and @continuous have no KFP form: `to_recurring` returns None and a KFM207
note saying what to do instead.

Pure module: no heavy imports, so the converter report and the CLI can both use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional, Tuple

from kfmigrate.migrate.diagnostics import ERROR, INFO, WARNING, Diagnostic
from kfmigrate.migrate.ir import Schedule

# Airflow's presets (airflow.sdk.definitions.timetables._cron.CRON_PRESETS), five fields.
PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
# every "@..." schedule Airflow knows: the cron presets, and two that no cron expresses
PRESET_NAMES = frozenset(PRESETS) | {"@once", "@continuous"}

# (name, lowest, highest, names allowed) for the five standard fields.
_FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)

# Cron extensions croniter (Airflow) accepts and robfig/cron v1 (KFP) does not.
_UNSUPPORTED_CHARS = {
    "L": "'L' (last day)",
    "W": "'W' (nearest weekday)",
    "#": "'#' (n-th weekday of the month)",
    "H": "'H' (hashed value)",
    "R": "'R' (random value)",
}


@dataclass(frozen=True)
class RecurringSpec:
    """A KFP recurring-run trigger: exactly one of `cron` (6 fields) or `interval_second`."""

    cron: Optional[str] = None
    interval_second: Optional[int] = None
    no_catchup: bool = True
    start_time: Optional[str] = None  # RFC 3339, UTC ("2024-01-01T00:00:00Z")
    end_time: Optional[str] = None
    origin: str = ""  # the Airflow schedule it came from, for messages

    def describe(self) -> str:
        trigger = f"cron '{self.cron}'" if self.cron else f"every {self.interval_second} s"
        parts = [trigger, "no catch-up" if self.no_catchup else "catch-up on"]
        if self.start_time:
            parts.append(f"from {self.start_time}")
        if self.end_time:
            parts.append(f"until {self.end_time}")
        text = ", ".join(parts)
        return f"{text} (Airflow: {self.origin})" if self.origin else text

    def client_kwargs(self) -> dict:
        """Keyword arguments for kfp.Client.create_recurring_run."""
        return {
            "cron_expression": self.cron,
            "interval_second": self.interval_second,
            "no_catchup": self.no_catchup,
            "start_time": self.start_time,
            "end_time": self.end_time,
        }


def _note(message: str, severity: str = WARNING, code: str = "KFM207") -> Diagnostic:
    return Diagnostic(code=code, message=message, severity=severity)


# ---------------------------------------------------------------- cron
def _check_value(token: str, field: tuple) -> Optional[str]:
    """Return an error message if a single cron value is not valid for the field."""
    name, low, high, names = field
    if token.isdigit():
        if not low <= int(token) <= high:
            return f"{name} value {token} is outside {low}-{high}"
        return None
    if names and token.upper() in names:
        return None
    return f"{name} value {token!r} is not understood"


def _convert_field(text: str, field: tuple) -> Tuple[Optional[str], Optional[str]]:
    """Check one five-field cron field; return (robfig text, error)."""
    name = field[0]
    extension = _extension_used(text, field)
    if extension:
        return None, f"the {name} field uses {extension}, which KFP's cron parser (robfig/cron v1) does not support"
    parts = []
    for item in text.split(","):
        if not item:
            return None, f"the {name} field {text!r} has an empty list item"
        base, _, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            return None, f"the {name} field has an invalid step {step!r}"
        if base in ("*", "?"):
            parts.append(item)
            continue
        low_text, _, high_text = base.partition("-")
        for value in (low_text, high_text) if high_text else (low_text,):
            error = _check_value(value, field)
            if error:
                return None, error
        if name == "day of week":
            converted = _sunday_as_zero(low_text, high_text, step)
            if converted is None:
                return None, "a day-of-week range with a step that ends on 7 (Sunday) has no robfig/cron form"
            parts.append(converted)
        else:
            parts.append(item)
    return ",".join(parts), None


def _extension_used(text: str, field: tuple) -> Optional[str]:
    """Which croniter-only extension (L, W, #, H, R) the field uses, ignoring month/day names."""
    names = field[3] or ()
    bare = re.sub(r"[A-Za-z]{3}", lambda m: "" if m.group(0).upper() in names else m.group(0), text)
    for char, what in _UNSUPPORTED_CHARS.items():
        if char in bare.upper():
            return what
    return None


def _sunday_as_zero(low: str, high: str, step: str) -> Optional[str]:
    """croniter accepts 7 for Sunday, robfig/cron v1 only 0-6: rewrite 7 as 0."""
    if not high:
        text = "0" if low == "7" else low
        return f"{text}/{step}" if step else text
    if high != "7":
        return f"{low}-{high}/{step}" if step else f"{low}-{high}"
    if step:
        return None
    if low == "7":
        return "0"
    if low.isdigit() and int(low) == 0:
        return "0-6"
    if low == "6" or low.upper() == "SAT":
        return f"{low},0"
    return f"{low}-6,0"


def five_to_six_fields(cron: str) -> Tuple[Optional[str], Optional[str]]:
    """Turn a standard five-field cron (as Airflow/croniter reads it) into KFP's six-field form.

    Returns (six-field cron, None) or (None, reason it cannot be expressed).
    """
    fields = cron.split()
    if len(fields) == 6:
        # croniter reads a sixth field as seconds, at the end
        seconds = fields.pop()
        if not (seconds.isdigit() and int(seconds) <= 59):
            return None, f"the seconds field {seconds!r} is not a single value 0-59"
    elif len(fields) == 5:
        seconds = "0"
    else:
        return None, f"expected 5 cron fields, found {len(fields)}"
    converted = []
    for text, field in zip(fields, _FIELDS):
        value, error = _convert_field(text, field)
        if error:
            return None, error
        converted.append(value)
    return " ".join([seconds] + converted), None


def cron_option_to_kfp(text: str) -> str:
    """Accept a user's --cron (5 fields, 6 fields seconds-first, or an @preset) and return KFP's form."""
    text = " ".join(text.split())
    if text.startswith("@"):
        if text not in PRESETS:
            raise ValueError(f"unknown cron preset {text!r} (known: {', '.join(PRESETS)})")
        text = PRESETS[text]
    fields = text.split()
    if len(fields) == 6:
        # already KFP's form, seconds first: check the last five as a standard cron
        seconds = fields[0]
        if not (seconds.isdigit() and int(seconds) <= 59):
            raise ValueError(f"the seconds field {seconds!r} is not a single value 0-59")
        rest, error = five_to_six_fields(" ".join(fields[1:]))
        if error:
            raise ValueError(error)
        return " ".join([seconds] + rest.split()[1:])
    result, error = five_to_six_fields(text)
    if error:
        raise ValueError(error)
    return result


# ---------------------------------------------------------------- dates
def to_rfc3339(value: str) -> Tuple[Optional[str], Optional[str], bool]:
    """ISO 8601 text -> (RFC 3339 UTC text, error, was_naive)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None, f"{value!r} is not an ISO 8601 date", False
    naive = moment.tzinfo is None
    if naive:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ"), None, naive


def _utc_offset(value: str) -> Optional[str]:
    """The non-UTC offset of an ISO date, or None for UTC/naive/unparseable values."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset().total_seconds() == 0:
        return None
    return moment.strftime("%z")


# ---------------------------------------------------------------- schedule
def to_recurring(schedule: Schedule) -> Tuple[Optional[RecurringSpec], List[Diagnostic]]:
    """Translate the Airflow schedule into a KFP recurring-run spec, or None with KFM207 notes."""
    notes: List[Diagnostic] = []
    kind = schedule.kind
    origin = schedule.source or (str(schedule.value) if schedule.value is not None else kind)

    if kind == "none":
        return None, notes  # runs are started by hand: nothing to translate, nothing lost

    cron: Optional[str] = None
    interval: Optional[int] = None
    value_text = schedule.value.strip() if isinstance(schedule.value, str) else ""
    if kind == "preset" or (kind == "cron" and value_text.startswith("@")):
        preset = value_text
        if preset == "@once":
            notes.append(_note("schedule '@once' runs a single time: KFP has no one-shot recurring run; "
                               "start it once with `kfmigrate kubeflow run create` instead"))
            return None, notes
        if preset == "@continuous":
            notes.append(_note("schedule '@continuous' starts a new run as soon as the last one ends: "
                               "KFP recurring runs fire on a clock; the closest form is a short "
                               "--interval with max_concurrency 1"))
            return None, notes
        if preset not in PRESETS:
            notes.append(_note(f"unknown schedule preset {preset!r}", ERROR))
            return None, notes
        cron, error = five_to_six_fields(PRESETS[preset])
    elif kind == "cron":
        cron, error = five_to_six_fields(str(schedule.value))
        if error:
            notes.append(_note(f"cron schedule {schedule.value!r} cannot be expressed on KFP: {error}"))
            return None, notes
    elif kind == "timedelta":
        try:
            seconds = float(schedule.value)
        except (TypeError, ValueError):
            notes.append(_note(f"timedelta schedule {origin!r} has no number of seconds", ERROR))
            return None, notes
        if seconds < 1:
            notes.append(_note(f"timedelta schedule of {seconds:g} s is shorter than KFP's minimum interval of 1 s"))
            return None, notes
        interval = int(round(seconds))
        if interval != seconds:
            notes.append(_note(f"interval {seconds:g} s rounded to {interval} s (KFP counts whole seconds)",
                               INFO, "KFM210"))
    elif kind == "asset":
        notes.append(_note(f"asset (data-aware) schedule {origin!r} starts runs when assets are updated: "
                           "KFP recurring runs only fire on a clock; trigger the run from the producing "
                           "pipeline or an event system, or pass --cron/--interval"))
        return None, notes
    elif kind == "timetable":
        notes.append(_note(f"custom timetable {origin!r} has no KFP form (KFP takes a cron or an interval); "
                           "pass --cron or --interval with the closest equivalent"))
        return None, notes
    elif kind == "dynamic":
        notes.append(_note(f"schedule {origin!r} cannot be resolved statically; pass --cron or --interval"))
        return None, notes
    else:
        notes.append(_note(f"schedule kind {kind!r} is not understood", ERROR))
        return None, notes

    start_time = end_time = None
    for label, value in (("start_date", schedule.start_date), ("end_date", schedule.end_date)):
        if not value:
            continue
        converted, error, naive = to_rfc3339(value)
        if error:
            notes.append(_note(f"{label} {error}; it is left out of the recurring run", WARNING, "KFM210"))
            continue
        if naive:
            notes.append(_note(f"{label} {value!r} has no time zone: read as UTC, as Airflow's default "
                               "time zone is", INFO, "KFM210"))
        if label == "start_date":
            start_time = converted
        else:
            end_time = converted

    offset = _utc_offset(schedule.start_date) if schedule.start_date else None
    if cron and offset:
        notes.append(_note(f"Airflow evaluates the cron in the DAG's time zone (start_date offset {offset}); "
                           "KFP evaluates it in the controller's CRON_SCHEDULE_TIMEZONE (UTC by default): "
                           "runs fire at different wall-clock times unless that is changed", WARNING, "KFM210"))

    spec = RecurringSpec(cron=cron, interval_second=interval, no_catchup=not schedule.catchup,
                         start_time=start_time, end_time=end_time, origin=origin)
    return spec, notes
