"""What a database constraint error clashed with, in words a person can act on.

An IntegrityError is the database refusing a write that breaks one of the models' rules (a
unique pair, a check, a reference); the request's transaction is rolled back, so nothing was
written. It is the request that is wrong, not the service, so it answers 400 and says which
rule, found from the models' own metadata rather than by showing the database's message.
PostgreSQL names the constraint (and the table and key columns); SQLite names the columns or
the check.
"""

import re

from django.apps import apps

GENERIC = "It clashes with something already saved"

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<name>\w+)")
_PG_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=")


def describe(error):
    """One sentence saying what `error` (an IntegrityError) clashed with."""
    text = str(error)
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name is None and (match := _SQLITE_CHECK.search(text)):
        name = match.group("name")
    if name and (found := _constraint_named(name)):
        return _describe_constraint(*found)
    table, columns = getattr(diag, "table_name", None), []
    if match := _SQLITE_UNIQUE.search(text):
        pairs = [part.strip().rsplit(".", 1) for part in match.group("columns").split(",")]
        table, columns = pairs[0][0], [column for _table, column in pairs]
    elif match := _PG_KEY.search(text):
        columns = [column.strip() for column in match.group("columns").split(",")]
    model = _model_for_table(table)
    if model is not None and columns:
        return _already(model, _fields_for_columns(model, columns))
    if "foreign key" in text.lower():
        return "It refers to something that has been removed or does not exist"
    return GENERIC


def _constraint_named(name):
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    return None


def _describe_constraint(model, constraint):
    fields = getattr(constraint, "fields", ())
    if fields:  # a UniqueConstraint
        return _already(model, [model._meta.get_field(name) for name in fields])
    message = constraint.violation_error_message
    if message and message != constraint.default_violation_error_message:
        return str(message)
    rule = constraint.name.replace("_", " ")
    return f"The {model._meta.verbose_name} breaks a rule of the tracker (“{rule}”)"


def _model_for_table(table):
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)


def _fields_for_columns(model, columns):
    by_column = {field.column: field for field in model._meta.concrete_fields}
    return [by_column[column] for column in columns if column in by_column]


def _already(model, fields):
    names = [str(field.verbose_name) for field in fields]
    if not names:
        return GENERIC
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"There is already a {model._meta.verbose_name} with this {joined}"
