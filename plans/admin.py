from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from . import models


class HistoryAdmin(SimpleHistoryAdmin):
    """Admin for models with history: no deleting. Plans, workstreams and reviews are archived
    in the app instead (oversight/archive.py), so nothing with history is lost through a screen."""

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """simple-history's "revert" page saves the old version on POST after checking only
        that the user may view it: refuse that to anyone who may not change the object."""
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoDeleteInline:
    can_delete = False


class MilestoneInline(NoDeleteInline, admin.TabularInline):
    model = models.Milestone
    extra = 0


class RagUpdateInline(NoDeleteInline, admin.TabularInline):
    model = models.RagUpdate
    extra = 0
    fields = ["as_of", "rating", "comment", "author", "corrects", "is_demo"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Partnership)
class PartnershipAdmin(HistoryAdmin):
    list_display = ["short_name", "name", "area"]


@admin.register(models.Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "partnerships"]
    search_fields = ["name", "short_name"]


@admin.register(models.Group)
class GroupAdmin(HistoryAdmin):
    list_display = ["name", "kind", "parent", "meets_per_year"]
    list_filter = ["kind", "partnerships"]
    search_fields = ["name", "slug"]


@admin.register(models.Role)
class RoleAdmin(HistoryAdmin):
    list_display = ["user", "kind", "partnership", "group", "agency"]
    list_filter = ["kind", "partnership"]
    autocomplete_fields = ["group", "agency"]


class PriorityInline(NoDeleteInline, admin.TabularInline):
    model = models.Priority
    extra = 0


class FocusCohortInline(NoDeleteInline, admin.TabularInline):
    model = models.FocusCohort
    extra = 0


@admin.register(models.Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ["title", "partnership", "starts_on", "ends_on"]
    inlines = [PriorityInline, FocusCohortInline]


class ActionInline(NoDeleteInline, admin.TabularInline):
    model = models.Action
    extra = 0
    fields = ["position", "text", "lead_text", "timescale", "due_date"]
    show_change_link = True


@admin.register(models.Objective)
class ObjectiveAdmin(HistoryAdmin):
    list_display = ["number", "text", "plan", "priority"]
    list_filter = ["plan"]
    inlines = [ActionInline]


@admin.register(models.Action)
class ActionAdmin(HistoryAdmin):
    list_display = ["ref", "text", "lead_text", "timescale", "due_date"]
    list_filter = ["parent__kind", "parent__partnership"]
    search_fields = ["ref", "text", "lead_text"]
    autocomplete_fields = ["lead_groups", "lead_agencies"]
    inlines = [MilestoneInline, RagUpdateInline]


@admin.register(models.RagUpdate)
class RagUpdateAdmin(HistoryAdmin):
    """Read only. An update is never changed: a correction is a new update, made from the
    action's page by someone who may update the action, and shown as a correction there."""

    list_display = ["action", "rating", "as_of", "author", "corrects", "is_demo"]
    list_filter = ["rating", "is_demo"]
    raw_id_fields = ["action", "corrects"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserAdmin(HistoryAdmin, auth_admin.UserAdmin):
    """People are made inactive, never deleted: deleting one would take their roles (and the
    history of who held them) with it. Their updates name them for good. Every change to a
    person (staff, superuser, active, groups, permissions) is in their history."""


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
