"""The context's dates: datetimes with the pendulum methods DAGs use most.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_pendulum():
    """The class of the dates in the context: a datetime with the pendulum methods DAGs use most."""
    import datetime as dt

    class DateTime(dt.datetime):
        """A datetime with the pendulum methods DAGs use most (Airflow's dates are pendulum's)."""

        def add(self, years=0, months=0, weeks=0, days=0, hours=0, minutes=0, seconds=0, microseconds=0):
            import calendar

            months_total = self.month - 1 + months + 12 * years
            year, month = self.year + months_total // 12, months_total % 12 + 1
            last_day = calendar.monthrange(year, month)[1]
            moved = self.replace(year=year, month=month, day=min(self.day, last_day))
            return moved + dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds,
                                        microseconds=microseconds)

        def subtract(self, **units):
            return self.add(**{unit: -amount for unit, amount in units.items()})

        def in_timezone(self, name):
            import zoneinfo

            return self.astimezone(zoneinfo.ZoneInfo(name))

        in_tz = in_timezone

        def start_of(self, unit):
            units = ("year", "month", "day", "hour", "minute", "second")
            if unit == "week":
                return self.start_of("day").subtract(days=self.weekday())
            keep = units.index(unit) + 1
            fields = dict(zip(units, (self.year, self.month, self.day, self.hour, self.minute, self.second)))
            defaults = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
            kept = {u: fields[u] for u in units[1:keep]}
            return self.replace(microsecond=0, **{u: defaults[u] for u in units[keep:]}, **kept)

        def end_of(self, unit):
            steps = {"year": {"years": 1}, "month": {"months": 1}, "week": {"weeks": 1}, "day": {"days": 1},
                     "hour": {"hours": 1}, "minute": {"minutes": 1}, "second": {"seconds": 1}}
            return self.start_of(unit).add(**steps[unit]) - dt.timedelta(microseconds=1)

        def to_date_string(self):
            return self.strftime("%Y-%m-%d")

        def to_datetime_string(self):
            return self.strftime("%Y-%m-%d %H:%M:%S")

        def to_iso8601_string(self):
            text = self.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        def format(self, fmt):
            import re

            tokens = {"YYYY": "%Y", "YY": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "DD": "%d", "dddd": "%A",
                      "ddd": "%a", "HH": "%H", "hh": "%I", "mm": "%M", "ss": "%S", "A": "%p", "ZZ": "%z"}
            pattern = "|".join(sorted(tokens, key=len, reverse=True))
            return self.strftime(re.sub(pattern, lambda m: tokens[m.group(0)], fmt.replace("%", "%%")))

        @property
        def int_timestamp(self):
            return int(self.timestamp())

        @property
        def day_of_week(self):
            return self.weekday()

        @property
        def day_of_year(self):
            return self.timetuple().tm_yday

    return DateTime
