from django.urls import path

from .views import actions, archive, columns, imports, meetings, meetings_reports, my_actions

app_name = "oversight"

urlpatterns = [
    path("", actions.dashboard, name="dashboard"),
    path("my-actions/", my_actions.my_actions, name="my_actions"),
    path("actions/", actions.action_list, name="action_list"),
    path("actions/columns/", columns.choose_columns, name="choose_columns"),
    path("actions/export.<str:fmt>", actions.action_export, name="action_export"),
    path("archive/", archive.archive_list, name="archive_list"),
    path("archive/<str:kind>/<int:pk>/", archive.archive_object, name="archive_object"),
    path("archive/<str:kind>/<int:pk>/restore/", archive.restore_object, name="restore_object"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/remind/", meetings.meeting_remind, name="meeting_remind"),
    path("meetings/new/<str:short_name>/", meetings.meeting_create, name="meeting_create"),
    path("meetings/pattern/<str:short_name>/", meetings.meeting_plan, name="meeting_plan"),
    path("meetings/<int:pk>/pack/", meetings.pack_preview, name="meeting_pack"),
    path("meetings/<int:pk>/pack.pdf", meetings.pack_pdf, name="meeting_pack_pdf"),
    path("meetings/<int:pk>/pack/render/", meetings.pack_render, name="meeting_pack_render"),
    path(
        "meetings/<int:pk>/reports/<slug:group>/",
        meetings_reports.report_detail,
        name="report_detail",
    ),
    path(
        "meetings/<int:pk>/reports/<slug:group>/write/",
        meetings_reports.report_write,
        name="report_write",
    ),
    path("meetings/<int:pk>/decisions/", meetings_reports.decision_log, name="decision_log"),
    path("meetings/<int:pk>/decisions/new/", meetings_reports.decision_add, name="decision_add"),
    path("decisions/<int:pk>/edit/", meetings_reports.decision_edit, name="decision_edit"),
    path("reviews/import/<str:short_name>/", imports.import_upload, name="import_upload"),
    path("reviews/imports/<int:pk>/", imports.import_preview, name="import_preview"),
    path("reviews/imports/<int:pk>/read/", imports.import_reread, name="import_reread"),
    path("reviews/imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("reviews/imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
]
