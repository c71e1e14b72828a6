"""The tracker's core: partnerships, agencies, groups, roles, business plans and the one
action / RAG-update / milestone / meeting machinery that every source of actions shares.

Workstreams and case-review recommendations live in their own apps and plug into this
machinery by inheriting :class:`ActionParent`, so that an action always has exactly one parent
(a single non-null foreign key) and dashboards, exports and packs treat every action alike,
while this app never imports theirs.
"""

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Now
from django.db.models.signals import class_prepared, post_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .scope import Scope
from .timescales import timescale_dates


def set_with_reason(when, reason, name):
    """A check that `when` (a date) and `reason` (text) are set together or not at all: a
    withdrawal, closure and the like always says why."""
    return models.CheckConstraint(
        condition=Q(**{f"{when}__isnull": True, reason: ""})
        | (Q(**{f"{when}__isnull": False}) & ~Q(**{reason: ""})),
        name=name,
    )


class TimeStampedModel(models.Model):
    # db_default as well, because fixtures load with raw saves that skip auto_now.
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        abstract = True


class Archivable:
    """Archived instead of deleted (a plan, workstream or review): `archive()` stamps
    `archived_at` on the object and on what hangs from it, one save each, so every change is in
    history with the person who made it; `restore()` clears the stamps the same way."""

    def archived_children(self):
        return []

    def archive(self, by=None):
        return self._set_archived(timezone.now(), by)

    def restore(self, by=None):
        return self._set_archived(None, by)

    @transaction.atomic
    def _set_archived(self, stamp, by):
        for item in [self, *self.archived_children()]:
            if (item.archived_at is None) == (stamp is None):
                continue  # already in that state
            item.archived_at = stamp
            if by is not None:
                item._history_user = by
            item.save()
        return self


def history(**kwargs):
    """One place that decides how every audited model records its history."""
    return HistoricalRecords(**kwargs)


class PeopleHistory(HistoricalRecords):
    """History of people (Django's User): who made whom staff, superuser or active, and their
    groups and permissions. The password hash is never copied into history; signing in only
    stamps `last_login`, which is not a change to the person."""

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


simple_history.register(
    get_user_model(),
    app="plans",
    records_class=PeopleHistory,
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)


def unique_slug(model, field, base, max_length):
    """`base` as a slug, with "-2", "-3" ... added until no `model` row has it in `field`."""
    base = slugify(base)[: max_length - 4].strip("-") or "item"
    value, count = base, 1
    while model._default_manager.filter(**{field: value}).exists():
        count += 1
        value = f"{base}-{count}"
    return value


def save_by(obj, by, **kwargs):
    """Save with `by` as the person history records (outside a request too)."""
    if by is not None:
        obj._history_user = by
    obj.save(**kwargs)
    return obj


class NaturalKeyQuerySet(models.QuerySet):
    """Fixtures name rows by natural key; each model says which fields make it."""

    natural_key_fields: tuple[str, ...] = ()

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.natural_key_fields, values, strict=True)))


class ByShortName(NaturalKeyQuerySet):
    natural_key_fields = ("short_name",)


class ByName(NaturalKeyQuerySet):
    natural_key_fields = ("name",)


class BySlug(NaturalKeyQuerySet):
    natural_key_fields = ("slug",)


class ByRef(NaturalKeyQuerySet):
    natural_key_fields = ("ref",)


class Partnership(TimeStampedModel):
    """A statutory safeguarding arrangement of an area (e.g. NCSCP, NSCP)."""

    short_name = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)
    area = models.CharField(max_length=200, blank=True)
    # The partnership's own words for what each rating means, {rating: text}, where they
    # differ from Rating.meanings(); shown beside the rating radios.
    rating_meanings = models.JSONField(default=dict, blank=True)

    objects = ByShortName.as_manager()
    history = history()

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.short_name,)

    def meanings(self):
        """What each rating means here: the partnership's words, else the standard ones."""
        own = self.rating_meanings or {}
        return {rating: own.get(rating) or text for rating, text in Rating.meanings().items()}

    def define_ratings(self, meanings, *, by):
        """Keep the partnership's own words for the ratings (history names `by`)."""
        standard = Rating.meanings()
        self.rating_meanings = {
            rating: text.strip()
            for rating, text in meanings.items()
            if rating in standard and text.strip() and text.strip() != standard[rating]
        }
        self._history_user = by
        self.save(update_fields=["rating_meanings", "updated_at"])


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Agency(TimeStampedModel):
    Kind = AgencyKind

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    partnerships = models.ManyToManyField(Partnership, related_name="agencies", blank=True)

    objects = ByName.as_manager()
    history = history(m2m_fields=[partnerships])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values), name="agency_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class GroupKind(models.TextChoices):
    BOARD = "board", "Strategic board"
    BMG = "bmg", "Business Management Group"
    OMG = "omg", "Operational Management Group"
    SUBGROUP = "subgroup", "Sub-group"
    PANEL = "panel", "Panel"
    WORKING_GROUP = "working_group", "Working group"
    TASK_AND_FINISH = "task_and_finish", "Task and finish group"
    NETWORK = "network", "Network"


class GroupQuerySet(BySlug):
    def with_descendants(self, group_ids):
        """The groups and every sub-group below them, as ids (the group tree is small)."""
        children = {}
        for pk, parent in self.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        found, stack = set(), list(group_ids)
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found


class Group(TimeStampedModel):
    Kind = GroupKind

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.SUBGROUP)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    partnerships = models.ManyToManyField(
        Partnership,
        related_name="groups",
        help_text="A cross-authority group serves more than one partnership.",
    )
    meets_per_year = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = GroupQuerySet.as_manager()
    history = history(m2m_fields=[partnerships])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="group_kind_valid"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="group_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Group, "slug", self.name, 80)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    def ancestors_and_self(self):
        """The pks of this group and of every group above it. A group's parent must not have
        the group itself above it, or the tree would loop."""
        seen, group = [], self
        while group is not None and group.pk not in seen:
            seen.append(group.pk)
            group = group.parent
        return seen


class RoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    BOARD_OFFICER = "board_officer", "Board officer"
    CHAIR = "chair", "Group chair"
    MEMBER = "member", "Group member"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    VIEWER = "viewer", "Viewer"


class RoleQuerySet(models.QuerySet):
    def scope_for(self, user):
        """The user's Scope (plans/scope.py), memoised on the user object for the request:
        every role read once, the led groups with their sub-groups."""
        cached = getattr(user, "_tracker_scope", None)
        if cached is not None:
            return cached
        scope = Scope()
        if user.is_authenticated and user.is_active:
            if user.is_superuser:
                scope.is_superuser = True
                scope.partnerships = {p.pk: p for p in Partnership.objects.all()}
                scope.readable_partnerships = set(scope.partnerships)
            led_groups = set()
            for role in self.filter(user=user).select_related("partnership"):
                scope.partnerships.setdefault(role.partnership_id, role.partnership)
                led_groups |= role.widen(scope)
            if led_groups:
                scope.groups = Group.objects.with_descendants(led_groups)
                scope.group_partnerships |= set(
                    Group.partnerships.through.objects.filter(group_id__in=led_groups).values_list(
                        "partnership_id", flat=True
                    )
                )
        user._tracker_scope = scope
        return scope


class Role(TimeStampedModel):
    Kind = RoleKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="roles"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="roles"
    )

    objects = RoleQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["partnership", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RoleKind.values), name="role_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=["chair", "member"]) | Q(group__isnull=False),
                name="role_group_roles_name_a_group",
            ),
            models.CheckConstraint(
                condition=~Q(kind="agency_lead") | Q(agency__isnull=False),
                name="role_agency_lead_names_an_agency",
            ),
        ]

    def __str__(self):
        scope = self.group or self.agency or self.partnership
        return f"{self.user} - {self.get_kind_display()} - {scope}"

    def widen(self, scope):
        """Add what this role allows to `scope`; the group it leads, if any, as a set."""
        scope.readable_partnerships.add(self.partnership_id)
        if self.kind in (RoleKind.ADMINISTRATOR, RoleKind.BOARD_OFFICER):
            scope.all_partnerships.add(self.partnership_id)
            scope.officer_partnerships.add(self.partnership_id)
            if self.kind == RoleKind.ADMINISTRATOR:
                scope.admin_partnerships.add(self.partnership_id)
        elif self.kind in (RoleKind.CHAIR, RoleKind.MEMBER):
            scope.group_partnerships.add(self.partnership_id)
            return {self.group_id}
        elif self.kind == RoleKind.AGENCY_LEAD:
            scope.agencies.add((self.partnership_id, self.agency_id))
        return set()

    @property
    def scope_label(self):
        """What the role is over, in words: "Children's QA subgroup", or the partnership."""
        return str(self.group or self.agency or self.partnership.name)

    def grant(self, *, by):
        """Give this (new) role; history records who gave whom what, and when."""
        return save_by(self, by)

    def remove(self, *, by):
        """Take the role away: deleted, with a "-" history row naming `by`."""
        self._history_user = by
        self.delete()


class AccountEvent(models.Model):
    """What happened to a person's account besides their roles (Role history holds those):
    invited, invitation sent again, password set, deactivated, reactivated. Written by
    plans/people.py, never edited."""

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        REINVITED = "reinvited", "Invitation sent again"
        PASSWORD_SET = "password_set", "Set a password from the invitation"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["invited", "reinvited", "password_set", "deactivated", "reactivated"]
                ),
                name="account_event_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class Plan(Archivable, TimeStampedModel):
    """A business plan (e.g. NCSCP Business Plan 2019-22)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="plans")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    introduction = models.TextField(blank=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Archived plans are hidden, not deleted."
    )

    objects = BySlug.as_manager()
    history = history()

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Plan, "slug", self.title, 80)
        super().save(*args, **kwargs)

    def archived_children(self):
        return list(self.objectives.all())

    def natural_key(self):
        return (self.slug,)


class PlanChildQuerySet(NaturalKeyQuerySet):
    def get_by_natural_key(self, plan_slug, value):
        return self.get(plan__slug=plan_slug, **{self.natural_key_fields[0]: value})


class ByPlanAndNumber(PlanChildQuerySet):
    natural_key_fields = ("number",)


class ByPlanAndName(PlanChildQuerySet):
    natural_key_fields = ("name",)


class Priority(TimeStampedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.TextField()

    objects = ByPlanAndNumber.as_manager()
    history = history()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="priority_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="priority_number_positive"),
        ]

    def __str__(self):
        return self.label(self.number, self.title)

    @staticmethod
    def label(number, title):
        """How a priority is named (its str()), from its two fields alone."""
        return f"Priority {number}: {title}"

    def natural_key(self):
        return (self.plan.slug, self.number)

    natural_key.dependencies = ["plans.plan"]


class FocusCohort(TimeStampedModel):
    """A group of children the plan says it focuses on (e.g. children at risk of neglect)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="focus_cohorts")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ByPlanAndName.as_manager()
    history = history()

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="focus_cohort_unique"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.plan.slug, self.name)

    natural_key.dependencies = ["plans.plan"]


class Theme(TimeStampedModel):
    """A learning theme ("confirmatory bias", "information sharing") that reviews raise and
    workstreams answer, so one can follow a theme from review to action."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = BySlug.as_manager()
    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ActionParentKind(models.TextChoices):
    OBJECTIVE = "objective", "Business plan objective"
    WORKSTREAM = "workstream", "Workstream"
    RECOMMENDATION = "recommendation", "Review recommendation"
    # Kinds of the apps beside oversight/ (each value is its model's name, so `child` finds it).
    DECISION = "decision", "BMG decision"
    AUDIT_RECOMMENDATION = "auditrecommendation", "Audit recommendation"
    SELF_ASSESSMENT = "selfassessment", "Section 11 self-assessment"


class ActionParent(TimeStampedModel):
    Kind = ActionParentKind

    ref = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="action_parents"
    )
    position = models.PositiveIntegerField(default=0)
    reference = models.CharField(
        "reference as published",
        max_length=40,
        blank=True,
        help_text='The number the source gives it ("10.1.1", "2 (i)"); empty when it has none.',
    )
    section = models.CharField(
        "section as published",
        max_length=300,
        blank=True,
        help_text='The heading it sits under in the source ("10.1 Health", "SHORT TERM TARGETS").',
    )
    # Set when the plan, workstream or review this belongs to is archived (oversight/archive.py):
    # its actions leave every list, the pack and the reminders until it is restored.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ByRef.as_manager()

    # Every concrete kind (Objective, Workstream, Recommendation), registered as it is made.
    kinds = []
    # What a list row shows of this kind, for select_related; each kind names its own.
    list_related = ()
    # The field naming the agency this kind is addressed to, if it has one.
    agency_field = ""

    class Meta:
        ordering = ["partnership", "kind", "position"]
        indexes = [
            models.Index(
                fields=["partnership", "kind", "position", "id"], name="actionparent_doc_order"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionParentKind.values), name="action_parent_kind_valid"
            ),
        ]

    def __str__(self):
        return self.ref

    def save(self, *args, **kwargs):
        """A new objective, workstream or recommendation made in the app gets a ref from its
        kind's `default_ref()` (imports and fixtures bring their own)."""
        if not self.ref:
            self.ref = unique_slug(ActionParent, "ref", self.default_ref(), 120)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.ref,)

    def default_ref(self):
        return f"{self.partnership.short_name}-{self.kind}-{self.position}"

    def next_action_position(self):
        last = self.actions.aggregate(last=models.Max("position"))["last"]
        return (last or 0) + 1

    @classmethod
    def agency_paths(cls, prefix=""):
        """Paths to the agency each kind is addressed to, where it has one ("recommendation__
        agency"): an agency lead updates the actions under what is addressed to their agency."""
        return [
            f"{prefix}{kind._meta.model_name}__{kind.agency_field}"
            for kind in cls.kinds
            if kind.agency_field
        ]

    @classmethod
    def list_paths(cls, prefix=""):
        """select_related paths for every kind's list row: "objective__plan", ..."""
        return [
            f"{prefix}{kind._meta.model_name}__{name}"
            if name
            else f"{prefix}{kind._meta.model_name}"
            for kind in cls.kinds
            for name in (kind.list_related or ("",))
        ]

    @classmethod
    def summary_groups(cls, pks):
        """{pk: (partnership id, summary_group)} for this kind's parents `pks`: what the
        dashboard counts each parent's actions under. A kind may answer from a narrower query
        than whole objects (Objective does)."""
        related = ("partnership", *cls.list_related)
        children = cls.objects.filter(pk__in=pks).select_related(*related)
        return {child.pk: (child.partnership_id, child.summary_group) for child in children}

    @property
    def child(self):
        """The objective, workstream or recommendation this row is the common part of.

        Each child answers the same questions (`source_kind`, `container_label`, `section_label`,
        `parent_text`), so lists and exports never branch on the kind.
        """
        return getattr(self, self.kind)


def _fill_inherited_fields_on_raw_load(sender, instance, raw=False, **kwargs):
    """Fixtures name an objective/workstream/recommendation by its `actionparent_ptr`; a raw
    load leaves the inherited fields (id, ref, kind, ...) unset on the child object, and the
    history rows written during the load (for many-to-many changes) would record them blank.
    Copy them from the parent row the fixture loaded just before."""
    if not raw:
        return
    parent = ActionParent.objects.filter(pk=instance.actionparent_ptr_id).values(
        "id", "ref", "kind", "partnership_id", "position"
    )
    for name, value in (parent.first() or {}).items():
        setattr(instance, name, value)


@receiver(class_prepared)
def _register_action_parent_kind(sender, **kwargs):
    """Each kind of action parent (objective here; workstream and recommendation in their own
    apps) registers itself as its class is made, so this app serves them without importing
    them: lists select what they name in `list_related`, and fixtures load them whole."""
    if issubclass(sender, ActionParent) and sender is not ActionParent:
        ActionParent.kinds.append(sender)
        pre_save.connect(_fill_inherited_fields_on_raw_load, sender=sender, weak=False)


class Objective(ActionParent):
    """A numbered objective of a business plan ("What do we want to achieve?").

    The source plan does not say which priority each objective serves, so that link is
    optional rather than invented.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )

    history = history()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"

    list_related = ("plan", "priority")
    source_kind = "plan"

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.OBJECTIVE
        self.partnership_id = self.plan.partnership_id
        self.position = self.number  # document order is the objective's number
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.plan.slug}-obj-{self.number}"

    @property
    def manage_url(self):
        """Where officers manage this objective's actions."""
        return reverse("plans:objective_edit", args=[self.pk])

    @property
    def container_label(self):
        return self.plan.title

    @property
    def section_label(self):
        return str(self)

    @property
    def parent_text(self):
        return self.text

    @property
    def display_number(self):
        return self.reference.rstrip(".") if self.reference else str(self.number)

    @property
    def summary_group(self):
        """(kind, key, title, link) of the dashboard row this objective's actions count in."""
        priority = self.priority
        return self._group(
            self.plan.slug,
            self.plan_id,
            self.plan.title,
            self.priority_id,
            priority.number if priority else None,
            priority.title if priority else None,
        )

    @classmethod
    def summary_groups(cls, pks):
        """As ActionParent.summary_groups, from one narrow query (no objects built)."""
        rows = cls.objects.filter(pk__in=pks).values_list(
            "pk",
            "partnership_id",
            "plan__slug",
            "plan_id",
            "plan__title",
            "priority_id",
            "priority__number",
            "priority__title",
        )
        return {pk: (partnership, cls._group(*rest)) for pk, partnership, *rest in rows}

    @staticmethod
    def _group(slug, plan_id, plan_title, priority_id, number, priority_title):
        # Lazy: the dashboard asks every objective, and links each group once.
        link = reverse_lazy("plans:plan_detail", args=[slug])
        if priority_id:
            title = f"Priority {number}: {priority_title}"
            return ("priority", ("priority", priority_id), title, link)
        title = f"{plan_title}: objectives not linked to a priority"
        return ("priority", ("plan", plan_id), title, link)


class ActionQuerySet(NaturalKeyQuerySet):
    natural_key_fields = ("ref",)

    def visible_to(self, user):
        """Actions `user` may read: those of the partnerships they read, and their shared
        groups' actions in the partnerships those groups also serve (see plans/access.py)."""
        scope = Role.objects.scope_for(user)
        return self.live().filter(scope.action_read_q(self.model.objects.all()))

    def live(self):
        """Neither archived with its plan, workstream or review, nor withdrawn: the actions
        lists, counts, reminders and packs are about."""
        return self.filter(parent__archived_at__isnull=True, withdrawn_on__isnull=True)

    def editable_by(self, user):
        """Actions `user` may update: a subset of visible_to()."""
        return self.visible_to(user).filter(self.editable_q(user))

    def editable_q(self, user):
        """A condition: the actions `user` may update. Officers and administrators edit by
        partnership, which needs no subquery (and lets the database walk its indexes); group
        and agency links need a distinct subquery."""
        scope = Role.objects.scope_for(user)
        if scope.is_superuser:
            return Q(parent__partnership__in=scope.readable_partnerships)
        if not scope.can_edit_anything:
            return Q(pk__in=[])
        if not (scope.groups or scope.agencies):
            return Q(parent__partnership__in=scope.all_partnerships)
        return Q(pk__in=self.editable_ids(user))

    def editable_ids(self, user):
        """A subquery of the actions `user` may update (distinct, safe to use in `pk__in`)."""
        scope = Role.objects.scope_for(user)
        if not scope.can_edit_anything:
            return self.model.objects.none().values("pk")
        edit = scope.action_edit_q(ActionParent.agency_paths("parent__"))
        return self.model.objects.visible_to(user).filter(edit).values("pk").distinct()

    def with_latest_update(self):
        """Annotate the latest RAG update's rating, comment and date (None if never rated).

        The current rating is always the latest update (by as_of, then when it was saved).
        `Action.latest_update` points at it so lists need a join rather than a subquery per
        row; plans/updates.py keeps the pointer right whenever updates are recorded.
        """
        return self.annotate(
            latest_rating=F("current_rating"),
            latest_comment=F("latest_update__comment"),
            latest_as_of=F("current_as_of"),
        )

    def with_current_rating(self):
        """with_latest_update() without the comment: the rating and date are the action's own
        columns, so counting and filtering by them joins nothing."""
        return self.annotate(latest_rating=F("current_rating"), latest_as_of=F("current_as_of"))

    def refresh_current_rating(self):
        """Point each action's `latest_update` (and its rating and date copies) at its current
        update: latest as_of first, then the most recently saved; None if it has none.

        Derived columns, not history, so one UPDATE writes them (no history rows). Called by
        plans/updates.py whenever updates are recorded.
        """
        latest = RagUpdate.objects.filter(action=OuterRef("pk")).order_by(
            "-as_of", "-created_at", "-pk"
        )
        return self.update(
            latest_update=Subquery(latest.values("pk")[:1]),
            current_rating=Subquery(latest.values("rating")[:1]),
            current_as_of=Subquery(latest.values("as_of")[:1]),
        )

    def with_effective_due(self):
        """`effective_due`: the revised due date where one was agreed, else the derived one."""
        return self.annotate(effective_due=Coalesce("revised_due_date", "due_date"))

    def not_complete(self):
        """Latest rating other than Complete, never-rated included (a plain exclude() would
        drop those, as NULL != 'complete' is not true in SQL); needs with_latest_update()."""
        return self.filter(Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE))

    def overdue(self, today):
        """Past their (effective) due date and not complete; needs for_list()."""
        return self.filter(effective_due__lt=today).not_complete()

    def in_document_order(self):
        """Partnership, then plan objectives / workstreams / recommendations in their order,
        then each parent's actions: an order the indexes give without sorting every row."""
        return self.order_by(
            "parent__partnership_id", "parent__kind", "parent__position", "parent_id", "position"
        )

    def for_page(self):
        """What a page of a list reads in one narrow query: for_list() without each kind's
        tables, which plans.listing.with_children() loads for the page's rows only. The
        latest update comes by select_related rather than an annotation, so counting the
        list (the paginator's COUNT) joins nothing but the parent."""
        return (
            self.select_related("parent__partnership", "latest_update")
            .with_current_rating()
            .with_effective_due()
            .in_document_order()
        )

    def for_list(self):
        """Everything a list, export or pack row shows, in a constant number of queries."""
        return (
            self.select_related("parent__partnership", *ActionParent.list_paths("parent__"))
            .with_latest_update()
            .with_effective_due()
            .in_document_order()
        )


class Action(TimeStampedModel):
    """One action, whichever document it came from.

    Text is kept exactly as the source wrote it (lead, measure, timescale, completion notes);
    links to groups, agencies and users sit beside the text and are what permissions follow.
    """

    ref = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(ActionParent, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveIntegerField(default=1)
    reference = models.CharField(
        "reference as published",
        max_length=40,
        blank=True,
        help_text='The number the source gives the action ("1.1", "Action 2"); empty when none.',
    )
    text = models.TextField("action")
    lead_text = models.TextField("lead as written", blank=True)
    lead_groups = models.ManyToManyField(Group, blank=True, related_name="led_actions")
    lead_agencies = models.ManyToManyField(Agency, blank=True, related_name="led_actions")
    lead_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_actions"
    )
    measure = models.TextField(
        "success measure / audit of implementation",
        blank=True,
        help_text="How will we know we have achieved our goal, or how completion is evidenced.",
    )
    timescale = models.TextField("timescale as written", blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text="Derived from the timescale; empty when unreadable."
    )
    revised_due_date = models.DateField(null=True, blank=True)
    revision_reason = models.TextField(blank=True)
    completion_notes = models.TextField(blank=True)
    withdrawn_reason = models.TextField("why it was withdrawn", blank=True)
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)
    notes = models.TextField(
        "other columns as published",
        blank=True,
        help_text="Columns of an imported file that no field holds, labelled with their headings.",
    )
    # Derived: the update that gives the current rating (see with_latest_update). Not
    # history: the updates themselves are.
    latest_update = models.ForeignKey(
        "RagUpdate",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copies of that update's rating and date, so filters and counts need no join.
    current_rating = models.CharField(max_length=20, blank=True, null=True, editable=False)
    current_as_of = models.DateField(null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()
    history = history(
        m2m_fields=[lead_groups, lead_agencies, lead_users],
        excluded_fields=["latest_update", "current_rating", "current_as_of"],
    )

    class Meta:
        ordering = ["parent", "position"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "position"], name="action_position_unique"),
            models.CheckConstraint(
                condition=Q(revised_due_date__isnull=True) | ~Q(revision_reason=""),
                name="action_revised_due_date_has_reason",
            ),
            set_with_reason("withdrawn_on", "withdrawn_reason", "action_withdrawn_with_a_reason"),
        ]
        indexes = [
            # The live actions of each parent, with what the dashboard counts them by: the
            # list's COUNT and the dashboard's tallies read this index alone (an index-only
            # scan) rather than every wide action row. Key columns rather than INCLUDE, which
            # SQLite lacks.
            models.Index(
                fields=[
                    "parent",
                    "current_rating",
                    "current_as_of",
                    "due_date",
                    "revised_due_date",
                ],
                condition=Q(withdrawn_on__isnull=True),
                name="action_live_by_parent",
            ),
        ]

    def __str__(self):
        return f"{self.ref}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        if not self.ref:
            self.ref = unique_slug(Action, "ref", f"{self.parent.ref}-{self.position}", 140)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.ref,)

    natural_key.dependencies = ["plans.actionparent"]

    def withdraw(self, reason, *, by):
        """Withdraw with a reason: out of every list, count, reminder and later pack, still on
        its own page with the reason. Its updates and history stay."""
        self.withdrawn_reason = reason
        self.withdrawn_on = timezone.localdate()
        self._history_user = by
        self.save(update_fields=["withdrawn_reason", "withdrawn_on", "updated_at"])

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None

    @property
    def effective_due_date(self):
        return self.revised_due_date or self.due_date

    @staticmethod
    def rating_label(value):
        return Rating(value).label

    @property
    def display_ref(self):
        """The number users say aloud: the published one ("10.1.1") where the source gave one,
        else "2.1" for objective 2's first action, "R7.2" ..."""
        if self.reference:
            return self.reference.rstrip(".")
        return f"{self.parent.child.display_number}.{self.position}"

    @transaction.atomic
    def save_edit(self, *, by, lead_groups=(), lead_agencies=(), lead_users=()):
        """Save what a person typed (new or changed): the due date and milestones follow the
        timescale as written, and the linked leads are set; history names `by`."""
        due, milestones = timescale_dates(self.timescale)
        self.due_date = due
        save_by(self, by)
        for manager, wanted in (
            (self.lead_groups, lead_groups),
            (self.lead_agencies, lead_agencies),
            (self.lead_users, lead_users),
        ):
            if set(manager.all()) != set(wanted):
                self._history_user = by
                manager.set(wanted)
        self.set_milestones(milestones, by=by)
        return self

    def set_milestones(self, wanted, *, by):
        """Make the milestones exactly `wanted` ({date: label}), one recorded change each."""
        have = {milestone.due: milestone for milestone in self.milestones.all()}
        for due, milestone in have.items():
            if due not in wanted:
                milestone._history_user = by
                milestone.delete()
        for due, label in wanted.items():
            milestone = have.get(due)
            if milestone is None:
                save_by(Milestone(action=self, due=due, label=label), by)
            elif milestone.label != label:
                milestone.label = label
                save_by(milestone, by, update_fields=["label", "updated_at"])

    @transaction.atomic
    def move_within(self, step, *, by):
        """Swap places with the action above (step -1) or below (+1) under the same parent;
        False at either end. The swap passes through a free position, unrecorded, so history
        shows each action's old and new place only."""
        siblings = Action.objects.filter(parent_id=self.parent_id).select_for_update()
        neighbour = (
            siblings.filter(position__lt=self.position).order_by("-position").first()
            if step < 0
            else siblings.filter(position__gt=self.position).order_by("position").first()
        )
        if neighbour is None:
            return False
        mine, theirs = self.position, neighbour.position
        self.position = self.parent.next_action_position()
        self.skip_history_when_saving = True
        self.save(update_fields=["position"])
        del self.skip_history_when_saving
        neighbour.position = mine
        save_by(neighbour, by, update_fields=["position", "updated_at"])
        self.position = theirs
        save_by(self, by, update_fields=["position", "updated_at"])
        return True

    @transaction.atomic
    def move_to(self, parent, *, by):
        """Move under another parent (an objective of a plan of the same partnership), last."""
        if parent.partnership_id != self.parent.partnership_id:
            raise ValueError("An action moves only within its partnership")
        self.parent = parent
        self.position = parent.next_action_position()
        save_by(self, by, update_fields=["parent", "position", "updated_at"])


class MilestoneQuerySet(NaturalKeyQuerySet):
    def get_by_natural_key(self, action_ref, due):
        return self.get(action__ref=action_ref, due=due)


class Milestone(TimeStampedModel):
    """A date an action reports or delivers on, e.g. each BMG in "June 2019 Oct 2019 Feb 2020"."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    due = models.DateField()
    label = models.CharField(max_length=100, blank=True, help_text="The words as written.")

    objects = MilestoneQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["action", "due"]
        constraints = [
            models.UniqueConstraint(fields=["action", "due"], name="milestone_unique"),
        ]

    def __str__(self):
        return f"{self.action.ref} {self.due:%b %Y}"

    def natural_key(self):
        return (*self.action.natural_key(), self.due.isoformat())

    natural_key.dependencies = ["plans.action"]


def saved_now():
    """timezone.now, looked up at call time (so tests can fix the clock)."""
    return timezone.now()


class Rating(models.TextChoices):
    """RAG with Complete ("BRAG") and Not started: the one place the rating vocabulary lives.

    Every page, export and pack takes the words, order, colours, severity and meanings from
    here, so a rating reads the same everywhere and is never shown by colour alone.
    """

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"
    NOT_STARTED = "not_started", "Not started"

    @classmethod
    def label_of(cls, value):
        """The word for a rating value; an empty value is an action never rated."""
        return cls(value).label if value else "Not yet rated"

    @classmethod
    def severity(cls):
        """Most severe first, None (never rated) among them, so one Red is never averaged
        away when a group's ratings are summed up as its worst."""
        return [cls.RED, cls.AMBER, cls.NOT_STARTED, None, cls.GREEN, cls.COMPLETE]

    @classmethod
    def columns(cls):
        """(value, word) in the order tables and counts show them."""
        return [(value, cls.label_of(value)) for value in cls.column_order()]

    @classmethod
    def column_order(cls):
        return [cls.RED, cls.AMBER, cls.GREEN, cls.COMPLETE, cls.NOT_STARTED, None]

    @classmethod
    def form_order(cls):
        """The order of the radios in the update form."""
        return [cls.NOT_STARTED, cls.RED, cls.AMBER, cls.GREEN, cls.COMPLETE]

    @classmethod
    def comment_required(cls):
        """Ratings that are never given without a progress comment."""
        return {cls.RED, cls.AMBER, cls.COMPLETE}

    @classmethod
    def scale(cls):
        """Position on the RAG scale, for movement; Not started and never rated are off it."""
        return {cls.RED: 0, cls.AMBER: 1, cls.GREEN: 2, cls.COMPLETE: 3}

    @classmethod
    def meanings(cls):
        """What each rating means, as printed in the pack's key and beside the form."""
        return {
            cls.RED: "Off track: needs escalation to the group.",
            cls.AMBER: "At risk: some slippage, with a plan to recover.",
            cls.GREEN: "On track.",
            cls.COMPLETE: "Complete: evidence of completion seen.",
            cls.NOT_STARTED: "Not started: work has not begun yet.",
        }

    @classmethod
    def meaning_of(cls, value):
        """What a rating means, "never rated" included (the pack's key lists that too)."""
        if not value:
            return "Not yet rated: no update recorded by the deadline."
        return cls.meanings()[value]

    @classmethod
    def colours(cls):
        """Fill colours for charts and spreadsheets; always printed beside the word."""
        return {
            cls.RED: "#d4351c",
            cls.AMBER: "#ffbf47",
            cls.GREEN: "#00703c",
            cls.COMPLETE: "#1d70b8",
            cls.NOT_STARTED: "#b1b4b6",
            None: "#ffffff",
        }


class RagUpdate(models.Model):
    """A dated rating with a progress comment by a named person.

    Never changed once saved (save() refuses; the admin shows updates read-only): a correction
    is a new update by the person correcting, pointing at the update it corrects. Record
    updates, corrections included, with plans.updates.record_update().
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    rating = models.CharField(max_length=20, choices=Rating.choices)
    comment = models.TextField("progress comment", blank=True)
    as_of = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rag_updates"
    )
    # When it was saved (as_of is the date it speaks for); packs as of a past deadline
    # count only updates saved by then.
    created_at = models.DateTimeField(default=saved_now, editable=False)
    is_demo = models.BooleanField(default=False, help_text="Made up by the demo step.")
    is_imported = models.BooleanField(
        default=False, help_text="Taken from an imported file's status and progress columns."
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The update this one corrects; both are kept.",
    )

    history = history()

    class Meta:
        ordering = ["action", "-as_of", "-created_at"]
        indexes = [
            models.Index(fields=["action", "-as_of", "-created_at"], name="ragupdate_latest")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__in=Rating.values), name="rag_rating_valid"),
        ]

    def __str__(self):
        return f"{self.action.ref} {self.get_rating_display()} {self.as_of}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(
                "A RAG update is never changed once saved: record a correction instead "
                "(plans.updates.record_update(..., corrects=update))."
            )
        super().save(*args, **kwargs)


@receiver(post_delete, sender=RagUpdate)
def _forget_deleted_update(sender, instance, **kwargs):
    """Neither the app nor the admin deletes updates, but a database clean-up (or a cascade
    from a deleted action) can: the action must not keep the deleted rating as its current one.
    Every write goes through plans/updates.py, which refreshes the columns itself."""
    Action.objects.filter(pk=instance.action_id).refresh_current_rating()
