"""Reading a table as it stood at a moment, from its history (django-simple-history).

The pack reads each history table once and works out the state at this meeting's deadline and
at the previous one from the same list of versions.
"""


def versions(history, moment, **filters):
    """Every historical row recorded before `moment`, oldest first, as dicts."""
    return list(
        history.filter(history_date__lt=moment, **filters)
        .order_by("history_date", "history_id")
        .values()
    )


def state_at(rows, moment):
    """{id: row} as the rows stood just before `moment`; deleted rows are left out."""
    state = {}
    for row in rows:
        if row["history_date"] >= moment:
            break
        if row["history_type"] == "-":
            state.pop(row["id"], None)
        else:
            state[row["id"]] = row
    return state
