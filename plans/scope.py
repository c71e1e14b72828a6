"""What one user may read and update: the Scope, worked out once per request.

The rules themselves are in plans/access.py's docstring. This module holds only the
answer (sets of ids) and the query conditions it makes; it imports no model, so the models'
querysets can use it (`Action.objects.visible_to(user)`) and plans/access.py can build on both.
"""

from dataclasses import dataclass, field

from django.db.models import Q


@dataclass
class Scope:
    """What one user may see and change, computed once per request."""

    readable_partnerships: set[int] = field(default_factory=set)  # read as a whole
    all_partnerships: set[int] = field(default_factory=set)  # administrator / board officer
    officer_partnerships: set[int] = field(default_factory=set)  # board officer or admin
    admin_partnerships: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)  # led groups and their sub-groups
    # Where those groups' actions are updated: the group roles' partnerships and those the
    # led groups serve. The ones not read as a whole are reached through a shared group only.
    group_partnerships: set[int] = field(default_factory=set)
    agencies: set[tuple[int, int]] = field(default_factory=set)  # (partnership, agency)
    is_superuser: bool = False
    # The readable partnerships' objects, as the roles query loaded them (pk -> Partnership),
    # so a page naming the reader's partnership needs no query of its own.
    partnerships: dict = field(default_factory=dict)

    @property
    def reached_partnerships(self):
        """Partnerships where only the shared groups' actions are read."""
        return self.group_partnerships - self.readable_partnerships if self.groups else set()

    def action_read_q(self, actions):
        """A condition on `actions` (an Action queryset): the actions this scope reads."""
        q = Q(parent__partnership__in=self.readable_partnerships)
        if reached := self.reached_partnerships:
            led = actions.filter(lead_groups__in=self.groups).values("pk")
            q |= Q(parent__partnership__in=reached, pk__in=led)
        return q

    @property
    def reading_key(self):
        """Names what this scope reads, for caching what it is shown (oversight/fragments.py)."""
        key = "p" + ",".join(str(pk) for pk in sorted(self.readable_partnerships))
        if reached := self.reached_partnerships:
            key += "|r" + ",".join(str(pk) for pk in sorted(reached))
            key += "|g" + ",".join(str(pk) for pk in sorted(self.groups))
        return key

    @property
    def can_edit_anything(self):
        return self.is_superuser or bool(self.all_partnerships or self.groups or self.agencies)

    @property
    def is_an_officer(self):
        """A board officer or administrator of at least one partnership."""
        return self.is_superuser or bool(self.officer_partnerships)

    def is_officer_of(self, partnership_id):
        return self.is_superuser or partnership_id in self.officer_partnerships

    def action_edit_q(self, agency_paths=()):
        """A condition on actions: those this scope updates. `agency_paths` are the fields
        through which a kind of parent is addressed to an agency ("parent__recommendation__
        agency"), named by the kinds themselves (ActionParent.agency_paths())."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        if self.all_partnerships:
            q |= Q(parent__partnership__in=self.all_partnerships)
        if self.groups:
            q |= Q(lead_groups__in=self.groups, parent__partnership__in=self.group_partnerships)
        by_partnership = {}
        for partnership, agency in self.agencies:
            by_partnership.setdefault(partnership, set()).add(agency)
        for partnership, agencies in sorted(by_partnership.items()):
            addressed = Q(lead_agencies__in=agencies)
            for path in agency_paths:
                addressed |= Q(**{f"{path}__in": agencies})
            q |= Q(parent__partnership=partnership) & addressed
        return q
