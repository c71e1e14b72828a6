from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("<int:pk>/action-plan.pdf", views.review_pdf, name="review_pdf"),
    path("<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("<int:pk>/reopen/", views.review_reopen, name="review_reopen"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "recommendations/<int:pk>/close/", views.recommendation_close, name="recommendation_close"
    ),
    path(
        "recommendations/<int:pk>/reopen/",
        views.recommendation_reopen,
        name="recommendation_reopen",
    ),
    path("<int:pk>/recommendations/add/", views.recommendation_add, name="recommendation_add"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path(
        "recommendations/<int:pk>/withdraw/",
        views.recommendation_withdraw,
        name="recommendation_withdraw",
    ),
    path("actions/<int:action_pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("actions/<int:action_pk>/re-check/", views.recheck_schedule, name="recheck_schedule"),
    path("re-checks/<int:pk>/", views.recheck_record, name="recheck_record"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("intake/", views.case_list, name="case_list"),
    path("intake/clocks/", views.clock_list, name="clock_list"),
    path("intake/new/<str:short_name>/", views.case_create, name="case_create"),
    path("intake/<int:pk>/", views.case_detail, name="case_detail"),
    path("intake/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("intake/<int:pk>/become-review/", views.case_become_review, name="case_become_review"),
    path(
        "intake/figures/<str:short_name>/<int:year>.xlsx",
        views.figures_xlsx,
        name="figures_xlsx",
    ),
    path("intake/figures/<str:short_name>/<int:year>.pdf", views.figures_pdf, name="figures_pdf"),
    path("assurance/", views.assurance_list, name="assurance_list"),
    path("assurance/new/<str:short_name>/", views.assurance_create, name="assurance_create"),
    path("assurance/<int:pk>/", views.assurance_detail, name="assurance_detail"),
    path(
        "assurance/<int:pk>/rate/<int:area_pk>/<int:agency_pk>/",
        views.assurance_rate,
        name="assurance_rate",
    ),
]
