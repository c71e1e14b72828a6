from django.contrib import admin

from plans.admin import ActionInline, HistoryAdmin, NoDeleteInline

from . import models
from .models import CaseReview, Recommendation


@admin.register(CaseReview)
class CaseReviewAdmin(HistoryAdmin):
    list_display = ["code", "kind", "status", "partnership", "published_on"]
    list_filter = ["kind", "status", "partnership"]
    search_fields = ["code", "title"]


@admin.register(Recommendation)
class RecommendationAdmin(HistoryAdmin):
    list_display = ["review", "number", "section_label", "source", "text"]
    list_filter = ["review", "source", "agency"]
    inlines = [ActionInline]


@admin.register(models.Evidence)
class EvidenceAdmin(HistoryAdmin):
    list_display = ["action", "recorded_by", "created_at"]
    raw_id_fields = ["action"]


@admin.register(models.SignOff)
class SignOffAdmin(HistoryAdmin):
    list_display = ["review", "signed_off_by", "signed_off_at"]


class LearningAreaInline(NoDeleteInline, admin.TabularInline):
    model = models.LearningArea
    extra = 0


@admin.register(models.AssuranceExercise)
class AssuranceExerciseAdmin(HistoryAdmin):
    list_display = ["title", "partnership", "held_on"]
    inlines = [LearningAreaInline]


@admin.register(models.AssuranceRating)
class AssuranceRatingAdmin(HistoryAdmin):
    list_display = ["area", "agency", "grade"]
    list_filter = ["grade"]
