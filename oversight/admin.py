from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import ColumnChoice, Decision, HighlightReport, Meeting


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    list_display = ["group", "date", "update_deadline"]
    list_filter = ["group"]


@admin.register(HighlightReport)
class HighlightReportAdmin(HistoryAdmin):
    list_display = ["group", "meeting", "updated_at"]
    list_filter = ["meeting__group"]


@admin.register(Decision)
class DecisionAdmin(HistoryAdmin):
    list_display = ["meeting", "number", "needs_action"]
    list_filter = ["needs_action"]


@admin.register(ColumnChoice)
class ColumnChoiceAdmin(HistoryAdmin):
    list_display = ["user", "chosen_at"]
    raw_id_fields = ["user"]
