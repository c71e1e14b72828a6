from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.admin import ActionInline

from .models import Workstream


@admin.register(Workstream)
class WorkstreamAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "partnership"]
    list_filter = ["partnership"]
    filter_horizontal = ["reviews"]
    inlines = [ActionInline]
