"""Sorting a table of actions by any shown column, on the server.

The page reads `?sort=<column>` or `?sort=-<column>`; each heading links to its column (or, on
the sorted column, to the other direction) and says the current order with aria-sort. Any
other parameters of the page (filters) are kept in the links; the page number is dropped, as
page 3 of another order means nothing. Each table names its columns in a `Sorter`.
"""

from django.db.models import Case, F, IntegerField, Value, When

from .models import Rating


def severity():
    """Most severe rating first, never-rated among them, as Rating.severity() orders them."""
    whens = [
        When(latest_rating=rating, then=Value(n))
        for n, rating in enumerate(Rating.severity())
        if rating is not None
    ]
    unrated = Rating.severity().index(None)
    return Case(*whens, default=Value(unrated), output_field=IntegerField())


class Sorter:
    """`columns`: {key: (heading, order_by parts of an ascending sort)}; a part is a field
    path or a function returning an expression. `default` is the column sorted when the
    parameter is missing or unknown (so a hostile value changes nothing), descending if
    `default_descending` (a register read highest score first)."""

    def __init__(self, columns, default, *, default_descending=False):
        self.columns = columns
        self.default = default
        self.default_descending = default_descending

    def chosen(self, sort):
        """(column, descending) from the `sort` parameter."""
        sort = sort or ""
        key = sort.removeprefix("-")
        if key not in self.columns:
            return (self.default, self.default_descending)
        return (key, sort.startswith("-"))

    def is_default(self, sort):
        """Whether the table is in its own order (the page may then group or reorder)."""
        return self.chosen(sort) == (self.default, self.default_descending)

    def order(self, sort):
        key, descending = self.chosen(sort)
        order = []
        for part in self.columns[key][1]:
            expression = part() if callable(part) else F(part)
            # Empty values (no due date, never updated) last either way, on every database.
            order.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return [*order, "pk"]

    def apply(self, actions, sort):
        return actions.order_by(*self.order(sort))

    def headings(self, query, sort, shown=None):
        """Each shown column's key, heading, link and aria-sort value, in `shown`'s order
        (default: every column). `query` is the page's parameters (a QueryDict)."""
        key, descending = self.chosen(sort)
        found = []
        for column in shown or self.columns:
            params = query.copy()
            params.pop("page", None)
            current = column == key
            params["sort"] = f"-{column}" if current and not descending else column
            aria = ("descending" if descending else "ascending") if current else "none"
            found.append(
                {
                    "key": column,
                    "label": self.columns[column][0],
                    "href": f"?{params.urlencode()}",
                    "aria": aria,
                }
            )
        return found


# A business plan's table, in its source document's columns. Its own order (objective by
# objective) is the default and is shown grouped; any other order is a flat list.
PLAN = Sorter(
    {
        "no": ("No.", ("parent__objective__number", "position")),
        "objective": ("What do we want to achieve?", ("parent__objective__text", "position")),
        "action": ("How are we going to do it?", ("text",)),
        "lead": ("Who will lead?", ("lead_text",)),
        "measure": ("How will we know we have achieved our goal?", ("measure",)),
        "when": ("When are we going to achieve this?", ("effective_due",)),
        # The comment column shows the update's date under it: sorted by that date.
        "comment": ("Comment on Progress", ("latest_as_of",)),
        "rating": ("RAG rating", (severity,)),
    },
    default="no",
)
