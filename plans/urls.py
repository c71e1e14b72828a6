from django.urls import path

from .meeting_urls import urlpatterns as meeting_urlpatterns
from .views import actions, archive

app_name = "plans"

urlpatterns = [
    path("", actions.dashboard, name="dashboard"),
    path("my-actions/", actions.my_actions, name="my_actions"),
    path("actions/", actions.action_list, name="action_list"),
    path("actions/export.<str:fmt>", actions.action_export, name="action_export"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", actions.action_update, name="action_update"),
    path("plans/", actions.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", actions.plan_detail, name="plan_detail"),
    path("archive/", archive.archive_list, name="archive_list"),
    path("archive/<str:kind>/<int:pk>/", archive.archive_object, name="archive_object"),
    path("archive/<str:kind>/<int:pk>/restore/", archive.restore_object, name="restore_object"),
    *meeting_urlpatterns,
]
