from django.contrib import admin

from plans.admin import ActionInline, HistoryAdmin

from .models import Workstream


@admin.register(Workstream)
class WorkstreamAdmin(HistoryAdmin):
    list_display = ["number", "title", "partnership"]
    list_filter = ["partnership"]
    filter_horizontal = ["reviews"]
    inlines = [ActionInline]
