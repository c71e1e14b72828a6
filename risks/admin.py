from django.contrib import admin

from plans.admin import HistoryAdmin

from .models import Risk, RiskAppetite, RiskReview


@admin.register(Risk)
class RiskAdmin(HistoryAdmin):
    list_display = ["reference", "title", "partnership"]
    list_filter = ["partnership"]
    filter_horizontal = ["actions"]


@admin.register(RiskReview)
class RiskReviewAdmin(HistoryAdmin):
    list_display = ["risk", "reviewed_on"]


@admin.register(RiskAppetite)
class RiskAppetiteAdmin(HistoryAdmin):
    list_display = ["partnership", "score"]
