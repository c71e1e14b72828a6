"""Sorting a list of actions by any shown column, on the server, from `?sort=<column>` or
`?sort=-<column>`; headings link to the other direction and say the current one (aria-sort)."""

from django.db.models import Case, F, IntegerField, Value, When

from plans.models import Rating

DOCUMENT_ORDER = ("parent__partnership_id", "parent__kind", "parent__position", "parent_id")


def _severity():
    """Most severe first, never-rated among them, as Rating.severity() orders them."""
    whens = [
        When(latest_rating=rating, then=Value(n))
        for n, rating in enumerate(Rating.severity())
        if rating is not None
    ]
    unrated = Rating.severity().index(None)
    return Case(*whens, default=Value(unrated), output_field=IntegerField())


# column key: (heading, the order_by expressions of an ascending sort)
COLUMNS = {
    "ref": ("Ref", (*DOCUMENT_ORDER, "position")),
    "action": ("Action", ("text",)),
    "from": ("From", ("parent__kind", "parent__position", "parent_id")),
    "lead": ("Lead", ("lead_text",)),
    "due": ("Due", ("effective_due",)),
    "rating": ("Rating", (_severity,)),
    "updated": ("Last update", ("latest_as_of",)),
}


def chosen(sort):
    """(column, descending) from the `sort` parameter; the document order when unknown."""
    sort = sort or ""
    key = sort.removeprefix("-")
    return (key, sort.startswith("-")) if key in COLUMNS else ("ref", False)


def sorted_actions(actions, sort):
    key, descending = chosen(sort)
    order = []
    for part in COLUMNS[key][1]:
        expression = part() if callable(part) else F(part)
        # Empty values (no due date, never updated) last either way, on every database.
        order.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    return actions.order_by(*order, "pk")


def headings(query, sort):
    """Each column's heading, link (the other direction when it is the sorted column) and
    aria-sort value. `query` is the page's other parameters (a QueryDict copy)."""
    key, descending = chosen(sort)
    found = []
    for column, (label, _order) in COLUMNS.items():
        params = query.copy()
        params.pop("page", None)
        current = column == key
        params["sort"] = f"-{column}" if current and not descending else column
        aria = ("descending" if descending else "ascending") if current else "none"
        found.append({"label": label, "href": f"?{params.urlencode()}", "aria": aria})
    return found
