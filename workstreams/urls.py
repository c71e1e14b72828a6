from django.urls import path

from . import views

app_name = "workstreams"

urlpatterns = [
    path("<str:partnership>/", views.workstream_list, name="workstream_list"),
    path("<str:partnership>/new/", views.workstream_create, name="workstream_create"),
    path("edit/<int:pk>/", views.workstream_edit, name="workstream_edit"),
]
