"""Practice improvement workstreams: what is particular to them beyond the shared actions."""

from django.db import models
from django.urls import reverse, reverse_lazy
from django.utils.text import format_lazy

from plans.models import ActionParent, Archivable, Theme, history
from reviews.models import CaseReview


class Workstream(Archivable, ActionParent):
    """A practice improvement workstream (e.g. NSCP's seven), itself the parent of its actions.

    (`objective_text`, as the accessor `objective` belongs to the business-plan child.)
    `origin` keeps the source's words about what triggered it; `reviews` links the case reviews
    it names where the tracker knows them.
    """

    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    objective_text = models.TextField("objective")
    origin = models.TextField(blank=True)
    reviews = models.ManyToManyField(CaseReview, blank=True, related_name="workstreams")
    themes = models.ManyToManyField(Theme, blank=True, related_name="workstreams")

    history = history(m2m_fields=[reviews, themes])

    class Meta:
        ordering = ["partnership", "number"]

    def __str__(self):
        return self.title

    list_related = ()
    source_kind = "workstream"

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.WORKSTREAM
        self.position = self.number  # document order is the workstream's number
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.partnership.short_name}-ws-{self.number}"

    @property
    def manage_url(self):
        link = reverse("workstreams:workstream_list", args=[self.partnership.short_name])
        return f"{link}#ws-{self.number}"

    @property
    def container_label(self):
        return self.title

    @property
    def section_label(self):
        return f"Workstream {self.number}: {self.title}"

    @property
    def parent_text(self):
        return self.objective_text

    @property
    def display_number(self):
        return self.reference.rstrip(".") if self.reference else f"W{self.number}"

    @property
    def summary_group(self):
        link = reverse_lazy("workstreams:workstream_list", args=[self.partnership.short_name])
        title = f"Workstream {self.number}: {self.title}"
        return ("workstream", self.pk, title, format_lazy("{}#ws-{}", link, self.number))
