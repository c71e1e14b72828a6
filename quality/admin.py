from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import (
    Audit,
    AuditRecommendation,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    QaGroup,
    Section11Cycle,
    SelfAssessment,
)


@admin.register(Audit)
class AuditAdmin(HistoryAdmin):
    list_display = ["subject", "year", "quarter", "status", "partnership"]
    list_filter = ["partnership", "status"]


@admin.register(AuditRecommendation)
class AuditRecommendationAdmin(HistoryAdmin):
    list_display = ["audit", "number", "text"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(HistoryAdmin):
    list_display = ["cycle", "agency", "submitted_on"]


for model in (Finding, ImpactEntry, LineOfEnquiry, QaGroup, Section11Cycle):
    admin.site.register(model, HistoryAdmin)
