from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    list_display = ["group", "date", "update_deadline"]
    list_filter = ["group"]
