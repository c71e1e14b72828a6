from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.admin import ActionInline

from . import models
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


@admin.register(models.Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["action", "recorded_by", "created_at"]
    raw_id_fields = ["action"]


@admin.register(models.SignOff)
class SignOffAdmin(SimpleHistoryAdmin):
    list_display = ["review", "signed_off_by", "signed_off_at"]


class LearningAreaInline(admin.TabularInline):
    model = models.LearningArea
    extra = 0


@admin.register(models.AssuranceExercise)
class AssuranceExerciseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partnership", "held_on"]
    inlines = [LearningAreaInline]


@admin.register(models.AssuranceRating)
class AssuranceRatingAdmin(SimpleHistoryAdmin):
    list_display = ["area", "agency", "grade"]
    list_filter = ["grade"]
