from django.urls import path

from . import views

app_name = "workstreams"

urlpatterns = [
    path("<str:partnership>/", views.workstream_list, name="workstream_list"),
]
