"""Airflow 3's asset names and event accessors (KFP has no assets).

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_assets(airflow):
    """Airflow 3's asset names and event accessors, for a task whose code uses them; return airflow.

    KFP has no assets: events the task emits (outlet_events, yielded Metadata) are accepted and
    logged, not published; the task sees no inlet events (Airflow would show it those that earlier
    tasks of the same run emitted) and no partition, as in a manual Airflow run.
    """

    class Asset:
        """Stands in for airflow.sdk.Asset: equal by name and URI, usable as an event key."""

        def __init__(self, name=None, uri=None, **_ignored):
            self.name, self.uri = name or uri, uri or name

        def __eq__(self, other):
            return type(self) is type(other) and (self.name, self.uri) == (other.name, other.uri)

        def __hash__(self):
            return hash((type(self).__name__, self.name, self.uri))

        def __repr__(self):
            return f"{type(self).__name__}(name={self.name!r}, uri={self.uri!r})"

    class AssetAlias(Asset):
        """Stands in for airflow.sdk.AssetAlias."""

    class Metadata:
        """Stands in for airflow.sdk.Metadata (what a task yields to attach extra to an asset event)."""

        def __init__(self, asset, extra, alias=None):
            self.asset, self.extra, self.alias = asset, extra, alias

    class OutletEvent:
        def __init__(self, key):
            self.key, self.extra = key, {}

        def add(self, asset, extra=None):
            print(f"asset event for {asset!r} through {self.key!r}: not published (KFP has no assets)")

        def add_partitions(self, *keys):
            print(f"asset partitions {list(keys)} of {self.key!r}: not published (KFP has no assets)")

    class OutletEvents(dict):
        def __missing__(self, key):
            self[key] = OutletEvent(key)
            return self[key]

    class InletEvents(dict):
        def __missing__(self, key):
            return []

        def for_asset(self, *args, **kwargs):
            return []

        def for_asset_alias(self, *args, **kwargs):
            return []

    context = airflow.context
    context.setdefault("outlet_events", OutletEvents())
    context.setdefault("inlet_events", InletEvents())
    context.setdefault("triggering_asset_events", {})
    context.setdefault("partition_key", None)
    for name in ("partition_key", "partition_date"):
        if not hasattr(context["dag_run"], name):
            setattr(context["dag_run"], name, None)
    airflow.Asset, airflow.AssetAlias, airflow.Metadata = Asset, AssetAlias, Metadata
    return airflow
