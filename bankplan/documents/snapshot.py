"""A plan frozen as plain data (JSON), and older snapshots brought up to today's schema.

Schema 2 (written since issue 8)::

    {"schema": 2,
     "plan": {"bank", "region", "branch", "branch_code", "cycle", "year", "author"},
     "catalogue": [kpi],  # the cycle's KPIs, as a KPI row keeps its own (since issue 12)
     "sections": {key: {
         "title": {"zh-hans": ..., "en": ...},
         "fields": {name: value},
         "tables": {name: [{"key", "label", "labels": {...}, "values": {name: value},
                            "kpi": {"code", "name", "measure", "unit", "direction",
                                    "is_balance"}  # KPI tables only
                           }]},
         "meta": {"fields": [column], "tables": [{"name", "title", "kpi", "columns"}]}}}}

where a column is ``{"name", "label": {...}, "kind", "places"?, "choices"?, "unit_from"?}``
(``plans/sections/describe.py``). Values are as stored: text, numbers as text, choice
codes, linked rows as their names in every language. A row's ``label`` is its name in the
bank's language (a comment on the row records it). A KPI row's ``values`` may also hold
figures given from above rather than typed by the branch (``Table.given``: ``allocated``,
the target allocated to the branch), frozen as they were when the version was made. No
column describes them (they are not the author's to change, so never diffed): derived
columns show them, and an older snapshot without them shows none.

Schema 1 (before issue 8) had no ``schema``, ``plan`` or ``meta``: ``{"cycle", "branch",
"sections": {key: {"fields": {...}, "tables": {name: [{"key", "label", "measure"?,
name: value ...}]}}}}``. ``upgrade`` converts it when it is read, the way a migration
converts rows; a field it cannot name any more still shows, labelled by its name.
"""

from bankplan.organisation.models import Role
from bankplan.plans.models import Measure
from bankplan.plans.sections.describe import LANGUAGES, Kind, describe_kpis, in_languages
from bankplan.plans.sections.registry import SECTIONS

SCHEMA = 2

_BY_KEY = {section.key: section for section in SECTIONS}


def plan_facts(plan) -> dict:
    """What the cover of a frozen version says about the plan (two queries)."""
    branch = plan.branch
    manager = branch.memberships.filter(role=Role.BRANCH_MANAGER).select_related("user").first()
    region = branch.region
    head_office = region.parent if region else None
    return {
        "bank": head_office.name if head_office else "",
        "region": region.name if region else "",
        "branch": branch.name,
        "branch_code": branch.code,
        "cycle": plan.cycle.name,
        "year": plan.cycle.year,
        "author": str(manager.user) if manager else str(plan.created_by),
    }


def snapshot_of(plan, *, facts: dict | None = None) -> dict:
    """The plan as plain data; ``plan`` comes from ``progress.load_plan``, so this reads
    nothing more. ``facts`` (see ``plan_facts``) are left out where nobody shows them."""
    return {
        "schema": SCHEMA,
        "plan": facts or {},
        "catalogue": describe_kpis(list(plan.cycle.kpis.all())),
        "sections": {s.key: s.snapshot(s.content_of(plan)) for s in SECTIONS},
    }


def upgrade(snapshot: dict) -> dict:
    """The snapshot in today's schema."""
    if snapshot.get("schema", 1) == 1:
        snapshot = _from_schema_1(snapshot)
    return snapshot


def _named(name: str) -> dict:
    return dict.fromkeys(LANGUAGES, name)


def _guessed(name: str, value) -> dict:
    """A column today's sections no longer describe: shown by its name, its kind read
    from the value itself."""
    if isinstance(value, bool):
        kind = Kind.BOOLEAN
    elif isinstance(value, int):
        kind = Kind.INTEGER
    elif isinstance(value, list):
        kind = Kind.LINKS
    else:
        kind = Kind.LONG_TEXT
    return {"name": name, "label": _named(name), "kind": kind}


def _columns(described: list[dict], values: list[dict]) -> list[dict]:
    """Descriptions of the names found in ``values``, in the order they were stored."""
    by_name = {column["name"]: column for column in described}
    names = list(dict.fromkeys(name for row in values for name in row))
    samples = {
        name: next((row[name] for row in values if row.get(name) not in (None, "")), None)
        for name in names
    }
    return [by_name.get(name) or _guessed(name, samples[name]) for name in names]


def _value_1(value, column: dict):
    """A schema-1 value as schema 2 stores it: linked rows were kept as one name."""
    if column["kind"] == Kind.LINK and isinstance(value, str):
        return _named(value)
    if column["kind"] == Kind.LINKS and isinstance(value, list):
        return [_named(item) if isinstance(item, str) else item for item in value]
    return value


def _kpi_1(row: dict) -> dict:
    """A schema-1 KPI row kept its code (as its key), its name and its unit."""
    measure = row.get("measure", "")
    unit = in_languages(Measure(measure).label) if measure in Measure.values else _named("")
    return {
        "code": row["key"],
        "name": _named(row.get("label", "")),
        "measure": measure,
        "unit": unit,
        "direction": "",  # not recorded: no achievement, no colour judgement
        "is_balance": False,
    }


def _table_1(name: str, rows: list[dict], today: dict | None) -> tuple[dict, list[dict]]:
    kpi = bool(today["kpi"]) if today else any("measure" in row for row in rows)
    values = [
        {k: v for k, v in row.items() if k not in {"key", "label", "measure"}} for row in rows
    ]
    columns = _columns(today["columns"] if today else [], values)
    by_name = {column["name"]: column for column in columns}
    upgraded = []
    for row, row_values in zip(rows, values, strict=True):
        new = {
            "key": str(row["key"]),
            "label": row.get("label", ""),
            "labels": _named(row.get("label", "")),
            "values": {k: _value_1(v, by_name[k]) for k, v in row_values.items()},
        }
        if kpi:
            new["kpi"] = _kpi_1(row)
        upgraded.append(new)
    title = today["title"] if today else _named(name)
    return {"name": name, "title": title, "kpi": kpi, "columns": columns}, upgraded


def _section_1(key: str, data: dict) -> dict:
    section = _BY_KEY.get(key)
    today = section.describe() if section else {"fields": [], "tables": []}
    fields = data.get("fields", {})
    field_columns = _columns(today["fields"], [fields])
    by_name = {column["name"]: column for column in field_columns}
    today_tables = {table["name"]: table for table in today["tables"]}
    tables, rows = [], {}
    for name, old_rows in data.get("tables", {}).items():
        meta, rows[name] = _table_1(name, old_rows, today_tables.get(name))
        tables.append(meta)
    return {
        "title": in_languages(section.title) if section else _named(key),
        "fields": {name: _value_1(value, by_name[name]) for name, value in fields.items()},
        "tables": rows,
        "meta": {"fields": field_columns, "tables": tables},
    }


def _from_schema_1(old: dict) -> dict:
    return {
        "schema": SCHEMA,
        "plan": {"cycle": old.get("cycle", ""), "branch": old.get("branch", "")},
        "sections": {key: _section_1(key, data) for key, data in old.get("sections", {}).items()},
    }
