"""Dynamic task mapping: the items of a mapped task in Airflow's map index order.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_map_items(mode, names, sources):
    """The items of a mapped task (one per Airflow map index, in map index order), as JSON texts.

    mode 'single': .expand(arg=seq) (a dict expands to [key, value] pairs); 'zip': .expand(arg=a.zip(b))
    (element-wise tuples, shortest wins); 'product': .expand(a=.., b=..) (the last argument varies
    fastest, as Airflow numbers map indexes; items are {name: value} dicts); 'kwargs':
    .expand_kwargs(seq of dicts). A source that is None (a skipped upstream) expands to nothing.
    """
    import itertools
    import json

    def sequence(value):
        if value is None:
            return []
        if isinstance(value, dict):
            return [[key, item] for key, item in value.items()]
        return list(value)

    seqs = [sequence(source) for source in sources]
    if mode == "single":
        items = seqs[0]
    elif mode == "zip":
        items = [list(group) for group in zip(*seqs)]
    elif mode == "product":
        items = [dict(zip(names, combo)) for combo in itertools.product(*seqs)]
    else:
        items = [dict(item) for item in seqs[0]]
    return [json.dumps(item, default=str) for item in items]
