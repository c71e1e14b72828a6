from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import ColumnChoice, Meeting


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    list_display = ["group", "date", "update_deadline"]
    list_filter = ["group"]


@admin.register(ColumnChoice)
class ColumnChoiceAdmin(HistoryAdmin):
    list_display = ["user", "chosen_at"]
    raw_id_fields = ["user"]
