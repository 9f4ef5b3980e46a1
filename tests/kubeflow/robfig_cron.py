"""What KFP's API server accepts as a recurring-run cron: robfig/cron v1.2 `cron.Parse`.

The KFP backend validates `trigger.cron_schedule.cron` with `cron.Parse` (backend/src/apiserver/
server/api_converter.go), whose parser takes seconds, minutes, hours, day of month, month and an
optional day of week, or a descriptor (@daily, @every 1h ...). Written here from that published
behaviour so the loopback server rejects what the real one rejects. Note: a five-field Airflow cron
is ACCEPTED by this parser, read as seconds-first, which is exactly the silent misreading the
converter's translation avoids.
"""
import re

MONTHS = {name: i + 1 for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
DAYS = {name: i for i, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
BOUNDS = [(0, 59, None), (0, 59, None), (0, 23, None), (1, 31, None), (1, 12, MONTHS), (0, 6, DAYS)]
DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")


class CronError(ValueError):
    pass


def _int_or_name(text, names):
    if names and text.lower() in names:
        return names[text.lower()]
    if not re.fullmatch(r"-?[0-9]+", text):
        raise CronError(f"Failed to parse int from {text}")
    value = int(text)
    if value < 0:
        raise CronError(f"Negative number ({value}) not allowed: {text}")
    return value


def _range(expr, low, high, names):
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    single = len(low_high) == 1
    if low_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _int_or_name(low_high[0], names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _int_or_name(low_high[1], names)
        else:
            raise CronError(f"Too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _int_or_name(range_and_step[1], None)
        if single:
            end = high
    else:
        raise CronError(f"Too many slashes: {expr}")
    if start < low:
        raise CronError(f"Beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise CronError(f"End of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise CronError(f"Beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"Step of range should be a positive number: {expr}")


def parse(spec: str) -> list:
    """Raise CronError like cron.Parse would; return the six fields otherwise."""
    if spec.startswith("@"):
        if spec in DESCRIPTORS:
            return [spec]
        if spec.startswith("@every "):
            if not _DURATION.match(spec[len("@every "):].strip()):
                raise CronError(f"Failed to parse duration {spec}")
            return [spec]
        raise CronError(f"Unrecognized descriptor: {spec}")
    fields = spec.split()
    if not 5 <= len(fields) <= 6:
        raise CronError(f"Expected 5 to 6 fields, found {len(fields)}: {spec}")
    if len(fields) == 5:
        fields.append("*")  # day of week is optional
    for field, (low, high, names) in zip(fields, BOUNDS):
        for expr in field.split(","):
            _range(expr, low, high, names)
    return fields
