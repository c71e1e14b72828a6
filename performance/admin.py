from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import DataSet, Measure, MeasureValue


@admin.register(DataSet)
class DataSetAdmin(HistoryAdmin):
    list_display = ["partnership", "lead_group"]


@admin.register(Measure)
class MeasureAdmin(HistoryAdmin):
    list_display = ["name", "partnership", "unit", "frequency"]
    list_filter = ["partnership"]
    filter_horizontal = ["objectives"]


@admin.register(MeasureValue)
class MeasureValueAdmin(HistoryAdmin):
    list_display = ["measure", "period_start", "value", "missing_reason"]
