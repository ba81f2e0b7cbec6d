"""Prepared statements for the write path, each shape built once per process.

Building a statement through the ORM costs far more than running it: on SQLite a one-row
`SELECT` compiled by the QuerySet machinery took about six times as long as the same
statement sent as SQL built once (`benchmarks/form_save.py`, `benchmarks/allocation.py`). The
write path runs a dozen of them per allocation, so it sends these instead. They work on model
instances like the ORM does (fields convert values both ways through Django, so JSON, dates
and foreign keys behave identically on SQLite and PostgreSQL) but they send no signals,
run no `full_clean`, and (hand-written `query` aside) each write touches one table. Everything
else reads and writes through the ORM.

- `fetch(Model, for_update=..., order_by=..., **where)`: the first matching row as an instance,
  or None. `where` values compare with `=` (None with `IS NULL`); `only=` leaves other columns
  deferred, as `QuerySet.only` does.
- `insert(instance)`: inserts every concrete field, sets the primary key, marks it saved.
- `insert_unless_present(instance, then=..., link=...)`: the same, unless a unique constraint
  already holds such a row (`ON CONFLICT DO NOTHING`); says which happened. `then` is a row
  inserted only if the first one was, pointing at it (a record and its first revision); on
  PostgreSQL the two go as one statement.
- `query(sql, params, fields)`: hand-written SQL (tables and columns named through `table()` and
  `column()`), each result column converted by the model field it comes from.
- `insert_values(Model, **values)`: inserts a row without building an instance; its primary key.
- `insert_many(Model, rows)`: one multi-row `INSERT` of such values (no primary keys returned).
- `upsert_many(Model, rows, constraint=..., update=...)`: one multi-row `INSERT` that, where the
  named unique constraint already holds a row, updates the `update` fields of that row instead.
- `update(instance, fields)`: writes those fields of an existing row; `update_values(Model, pk, **values)`
  the same without an instance.
- `together([...])`: several of the writes above, built with `inserting`, `inserting_many`,
  `upserting_many`, `updating` and `updating_values`, that do not depend on each other. On
  PostgreSQL, where every statement is a network round trip, they go as one statement of
  data-modifying `WITH` parts; on SQLite one by one. Each one's returned key comes back.

Statements go straight to the DB-API cursor, inside Django's transaction and under its error
translation (a lock timeout is still `django.db.OperationalError`). While Django logs queries
(`DEBUG`, or a test counting them) they go through Django's cursor instead, so they are logged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


def _db() -> BaseDatabaseWrapper:
    """The connection itself: resolved once per statement, not once per attribute via the proxy."""
    return connections[DEFAULT_DB_ALIAS]


def _execute(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any], fetch: str = "") -> Any:
    """Execute one statement written with `%s` placeholders; `fetch` "one" or "all" returns rows."""
    if db.queries_logged:
        cursor_context = db.cursor()
    else:
        db.ensure_connection()
        cursor_context = closing(db.connection.cursor())
        if db.vendor == "sqlite":  # SQLite's own cursor wants `?`; none of our SQL holds a literal %
            sql = sql.replace("%s", "?")
    with db.wrap_database_errors, cursor_context as cursor:
        cursor.execute(sql, params)
        if fetch == "one":
            return cursor.fetchone()
        return cursor.fetchall() if fetch == "all" else None


def table(model: type[Model]) -> str:
    """The model's quoted table name, for hand-written SQL."""
    return _db().ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """The quoted column of a model field (by name or attribute name), for hand-written SQL."""
    return _db().ops.quote_name(model._meta.get_field(name).column)


@functools.cache
def _converters_for(alias: str, fields: tuple[Field, ...]) -> list[list[Callable]]:
    db = connections[alias]
    converters = []
    for field in fields:
        col = field.get_col(field.model._meta.db_table)
        converters.append(db.ops.get_db_converters(col) + col.get_db_converters(db))
    return converters


def _converted(db: BaseDatabaseWrapper, row: Sequence[Any], converters: list[list[Callable]]) -> tuple:
    values = []
    for value, column_converters in zip(row, converters, strict=True):
        for convert in column_converters:
            value = convert(value, None, db)
        values.append(value)
    return tuple(values)


def query(sql: str, params: Sequence[Any], fields: Sequence[Field]) -> list[tuple]:
    """Run hand-written SQL (`%s` placeholders, values already in database form) and convert each
    column of every row as the given model field would (JSON parsed, dates and times made Python)."""
    db = _db()
    converters = _converters_for(db.alias, tuple(fields))
    return [_converted(db, row, converters) for row in _execute(db, sql, params, "all")]


def _fields(model: type[Model], names: Sequence[str]) -> list[Field]:
    return [model._meta.get_field(name) for name in names]


# Shapes are cached per database alias (not per connection object: every thread has its own).
@functools.cache
def _select_shape(
    alias: str, model: type[Model], columns: tuple[str, ...], where: tuple[tuple[str, bool], ...],
    order_by: tuple[str, ...], for_update: bool,
) -> tuple[str, list[list[Callable]]]:
    db = connections[alias]
    quote, table = db.ops.quote_name, model._meta.db_table
    fields = _fields(model, columns)
    conditions = [quote(model._meta.get_field(name).column) + (" IS NULL" if is_null else " = %s")
                  for name, is_null in where]
    sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(table)}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if order_by:
        sql += " ORDER BY " + ", ".join(
            quote(model._meta.get_field(name.lstrip("-")).column) + (" DESC" if name.startswith("-") else "")
            for name in order_by)
    sql += " LIMIT 1"
    if for_update and db.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, _converters_for(alias, tuple(fields))


def _select(
    model: type[Model], columns: tuple[str, ...], for_update: bool, order_by: Sequence[str], where: dict[str, Any],
) -> tuple[BaseDatabaseWrapper, list[Any] | None]:
    db = _db()
    sql, converters = _select_shape(db.alias, model, columns, tuple((k, v is None) for k, v in where.items()),
                                    tuple(order_by), for_update)
    params = [model._meta.get_field(k).get_db_prep_save(v, db) for k, v in where.items() if v is not None]
    row = _execute(db, sql, params, "one")
    return db, None if row is None else list(_converted(db, row, converters))


def fetch[M: Model](
    model: type[M], *, for_update: bool = False, order_by: Sequence[str] = (), only: Sequence[str] = (),
    **where: Any,
) -> M | None:
    """The first row matching `where` (attribute names, e.g. `visit_id`), as a model instance."""
    pk = model._meta.pk.attname
    columns = tuple(f.attname for f in model._meta.concrete_fields if not only or f.attname in only or f.attname == pk)
    db, values = _select(model, columns, for_update, order_by, where)
    return None if values is None else model.from_db(db.alias, columns, values)


def fetch_values(
    model: type[Model], columns: Sequence[str], *, for_update: bool = False, order_by: Sequence[str] = (),
    **where: Any,
) -> tuple | None:
    """The named columns of the first row matching `where`, as a tuple (no instance is built)."""
    _, values = _select(model, tuple(columns), for_update, order_by, where)
    return None if values is None else tuple(values)


# Writes are built as `Write` values first, then run: one at a time, or several `together`.


@dataclass(frozen=True)
class Write:
    """One INSERT/UPDATE ready to send. `returns`: it ends in `RETURNING <pk>` and yields that key
    (None when `ON CONFLICT DO NOTHING` skipped the row); `instance` gets the key and is marked saved."""

    sql: str
    params: list[Any]
    returns: bool = False
    instance: Model | None = None


def _run(db: BaseDatabaseWrapper, write: Write) -> Any:
    row = _execute(db, write.sql, write.params, "one" if write.returns else "")
    key = None if row is None else row[0]
    if key is not None and write.instance is not None:
        _mark_saved(db, write.instance, key)
    return key


def _mark_saved(db: BaseDatabaseWrapper, instance: Model, key: Any) -> None:
    instance.pk = key
    instance._state.adding = False
    instance._state.db = db.alias


def together(writes: Sequence[Write]) -> list[Any]:
    """Run writes that do not depend on each other's effects; each one's returned key (or None), in order.

    On PostgreSQL they go as one statement (each a data-modifying `WITH` part, all run to
    completion on the same snapshot), so the batch costs one round trip; elsewhere one by one.
    None of them may touch a row another one touches.
    """
    db = _db()
    if db.vendor != "postgresql" or len(writes) <= 1:
        return [_run(db, w) for w in writes]
    parts = ", ".join(f"w{i} AS ({w.sql})" for i, w in enumerate(writes))
    picks = ", ".join(f"(SELECT * FROM w{i})" if w.returns else "NULL" for i, w in enumerate(writes))
    row = _execute(db, f"WITH {parts} SELECT {picks}", [p for w in writes for p in w.params], "one")
    for key, write in zip(row, writes, strict=True):
        if key is not None and write.instance is not None:
            _mark_saved(db, write.instance, key)
    return list(row)


def _insert_fields(model: type[Model]) -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_sql(alias: str, model: type[Model], rows: int, unless_present: bool = False,
                returning: bool = False) -> str:
    quote, fields = connections[alias].ops.quote_name, _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([row] * rows)}")
    if unless_present:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql


def _instance_params(db: BaseDatabaseWrapper, instance: Model) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(instance, True), db) for f in _insert_fields(type(instance))]


def inserting(instance: Model, *, unless_present: bool = False) -> Write:
    """The INSERT of the instance's concrete fields (`ON CONFLICT DO NOTHING` if `unless_present`)."""
    db = _db()
    return Write(_insert_sql(db.alias, type(instance), 1, unless_present, returning=True),
                 _instance_params(db, instance), returns=True, instance=instance)


def insert[M: Model](instance: M) -> M:
    """INSERT the instance's concrete fields; sets its primary key and marks it as saved."""
    _run(_db(), inserting(instance))
    return instance


@functools.cache
def _child_insert_sql(alias: str, parent: type[Model], child: type[Model], link: str) -> str:
    """`WITH p AS (INSERT parent ... RETURNING pk), c AS (INSERT child ... SELECT ..., p.pk FROM p) SELECT pk FROM p`."""
    quote = connections[alias].ops.quote_name
    fields = _insert_fields(child)
    values = ", ".join("p.k" if f.name == link else "%s" for f in fields)
    return (f"WITH p (k) AS ({_insert_sql(alias, parent, 1, unless_present=True, returning=True)}), "
            f"c AS (INSERT INTO {quote(child._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {values} FROM p) SELECT k FROM p")


def insert_unless_present(instance: Model, *, then: Model | None = None, link: str = "") -> bool:
    """INSERT unless a unique constraint already holds such a row: True if inserted (pk set).

    `then`, if given, is inserted too when (and only when) the row was, its `link` foreign key
    pointing at the new row; on PostgreSQL both go in one statement (and `then`'s own key is not
    read back).
    """
    db = _db()
    if then is None or db.vendor != "postgresql":
        inserted = _run(db, inserting(instance, unless_present=True)) is not None
        if inserted and then is not None:
            setattr(then, link, instance)
            insert(then)
        return inserted
    params = _instance_params(db, instance) + [
        f.get_db_prep_save(f.pre_save(then, True), db) for f in _insert_fields(type(then)) if f.name != link]
    row = _execute(db, _child_insert_sql(db.alias, type(instance), type(then), link), params, "one")
    if row is None:
        return False
    _mark_saved(db, instance, row[0])
    setattr(then, link, instance)
    return True


def _values_params(db: BaseDatabaseWrapper, model: type[Model], values: dict[str, Any]) -> list[Any]:
    return [f.get_db_prep_save(values[f.attname] if f.attname in values else f.get_default(), db)
            for f in _insert_fields(model)]


def insert_values(model: type[Model], **values: Any) -> Any:
    """INSERT one row from field values (attribute names; omitted fields take their default); its pk."""
    db = _db()
    return _run(db, Write(_insert_sql(db.alias, model, 1, returning=True), _values_params(db, model, values),
                          returns=True))


def inserting_many(model: type[Model], rows: Sequence[dict[str, Any]]) -> Write:
    """One multi-row INSERT (at least one row), each row given as field values like `insert_values`
    (no keys returned)."""
    if not rows:
        raise ValueError(f"no {model.__name__} rows to insert")
    db = _db()
    params = [p for values in rows for p in _values_params(db, model, values)]
    return Write(_insert_sql(db.alias, model, len(rows)), params)


def insert_many(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        _run(_db(), inserting_many(model, rows))


@functools.cache
def _conflict_clause(alias: str, model: type[Model], constraint_name: str, update: tuple[str, ...]) -> str:
    db = connections[alias]
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    target = ", ".join(db.ops.quote_name(model._meta.get_field(f).column) for f in constraint.fields)
    # A partial constraint is named by its condition, spelled as Django spelled it for the index.
    condition = constraint._get_condition_sql(model, db.schema_editor())
    sets = ", ".join(f"{c} = excluded.{c}" for c in (db.ops.quote_name(f.column) for f in _fields(model, update)))
    return f" ON CONFLICT ({target}){f' WHERE {condition}' if condition else ''} DO UPDATE SET {sets}"


def upserting_many(model: type[Model], rows: Sequence[dict[str, Any]], *, constraint: str,
                   update: Sequence[str]) -> Write:
    """Insert the rows; a row that the unique `constraint` already holds gets its `update` fields set."""
    db = _db()
    write = inserting_many(model, rows)
    return Write(write.sql + _conflict_clause(db.alias, model, constraint, tuple(update)), write.params)


def upsert_many(model: type[Model], rows: Sequence[dict[str, Any]], *, constraint: str, update: Sequence[str]) -> None:
    if rows:
        _run(_db(), upserting_many(model, rows, constraint=constraint, update=update))


@functools.cache
def _update_sql(alias: str, model: type[Model], names: tuple[str, ...]) -> str:
    quote = connections[alias].ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in _fields(model, names))
    return f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"


def updating(instance: Model, fields: Sequence[str]) -> Write:
    """The UPDATE of the named fields of an already stored instance."""
    db, model, names = _db(), type(instance), tuple(fields)
    params = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in _fields(model, names)]
    return Write(_update_sql(db.alias, model, names), [*params, instance.pk])


def update(instance: Model, fields: Sequence[str]) -> None:
    _run(_db(), updating(instance, fields))


def updating_values(model: type[Model], pk: Any, **values: Any) -> Write:
    """The UPDATE of the named fields (attribute names) of the row with primary key `pk`."""
    db, names = _db(), tuple(values)
    params = [f.get_db_prep_save(values[name], db) for name, f in zip(names, _fields(model, names), strict=True)]
    return Write(_update_sql(db.alias, model, names), [*params, pk])


def update_values(model: type[Model], pk: Any, **values: Any) -> None:
    _run(_db(), updating_values(model, pk, **values))
