from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.quality_home, name="quality_home"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/edit/", views.audit_edit, name="audit_edit"),
    path("audits/<int:pk>/findings/new/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path(
        "audits/<int:pk>/recommendations/new/", views.recommendation_add, name="recommendation_add"
    ),
    path("audits/<int:pk>/sign-off/", views.audit_sign_off, name="audit_sign_off"),
    path("audits/<int:pk>/reopen/", views.audit_reopen, name="audit_reopen"),
    path(
        "recommendations/<int:pk>/close/",
        views.recommendation_close,
        name="recommendation_close",
    ),
    path(
        "recommendations/<int:pk>/reopen/",
        views.recommendation_reopen,
        name="recommendation_reopen",
    ),
    path("parents/<int:parent_pk>/actions/new/", views.action_add, name="action_add"),
    path("actions/<int:action_pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("impact/<int:pk>/edit/", views.impact_edit, name="impact_edit"),
    path("section-11/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("section-11/<int:pk>/assessments/new/", views.assessment_add, name="assessment_add"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/lines/new/", views.line_add, name="line_add"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("<str:partnership>/", views.programme, name="programme"),
    path("<str:partnership>/audits/new/", views.audit_create, name="audit_create"),
    path("<str:partnership>/qa-group/", views.qa_group_edit, name="qa_group_edit"),
    path("<str:partnership>/impact/", views.impact_log, name="impact_log"),
    path("<str:partnership>/impact/new/", views.impact_create, name="impact_create"),
    path("<str:partnership>/section-11/", views.cycle_list, name="cycle_list"),
    path("<str:partnership>/section-11/new/", views.cycle_create, name="cycle_create"),
]
