from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.admin import ActionInline

from .models import CaseReview, Recommendation


@admin.register(CaseReview)
class CaseReviewAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "status", "partnership", "published_on"]
    list_filter = ["kind", "status", "partnership"]
    search_fields = ["code", "title"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["review", "number", "section_label", "source", "text"]
    list_filter = ["review", "source", "agency"]
    inlines = [ActionInline]
