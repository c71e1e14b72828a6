"""Sorting All actions by any shown column, on the server, from `?sort=<column>` or
`?sort=-<column>`; headings link to the other direction and say the current one (aria-sort).
The machinery is plans/sorting.py's, shared with the plan and workstream pages."""

from plans.sorting import Sorter, severity

DOCUMENT_ORDER = ("parent__partnership_id", "parent__kind", "parent__position", "parent_id")

# column key: (heading, the order_by expressions of an ascending sort)
COLUMNS = {
    "ref": ("Ref", (*DOCUMENT_ORDER, "position")),
    "action": ("Action", ("text",)),
    "from": ("From", ("parent__kind", "parent__position", "parent_id")),
    "lead": ("Lead", ("lead_text",)),
    "due": ("Due", ("effective_due",)),
    "rating": ("Rating", (severity,)),
    "updated": ("Last update", ("latest_as_of",)),
    "comment": ("Latest comment", ("latest_update__comment",)),
}

SORTER = Sorter(COLUMNS, default="ref")


def chosen(sort):
    """(column, descending) from the `sort` parameter; the document order when unknown."""
    return SORTER.chosen(sort)


def sorted_actions(actions, sort):
    return SORTER.apply(actions, sort)


def headings(query, sort, shown=None):
    """Each shown column's heading, link (the other direction when it is the sorted column)
    and aria-sort value. `query` is the page's other parameters (a QueryDict copy)."""
    return SORTER.headings(query, sort, shown)
