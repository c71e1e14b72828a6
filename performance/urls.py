from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.performance_home, name="performance_home"),
    path("measure/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measure/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measure/<int:pk>/archive/", views.measure_archive, name="measure_archive"),
    path("measure/<int:pk>/restore/", views.measure_restore, name="measure_restore"),
    path("<str:partnership>/", views.scorecard, name="scorecard"),
    path("<str:partnership>/new/", views.measure_create, name="measure_create"),
    path("<str:partnership>/values/", views.enter_values, name="enter_values"),
    path("<str:partnership>/import/", views.import_values, name="import_values"),
    path("<str:partnership>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("<str:partnership>/lead/", views.lead_group_edit, name="lead_group_edit"),
]
