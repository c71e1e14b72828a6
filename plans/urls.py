from django.urls import path

from .views import editing, reading

app_name = "plans"

urlpatterns = [
    path("actions/<int:pk>/", reading.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", reading.action_update, name="action_update"),
    path("actions/<int:pk>/edit/", editing.action_edit, name="action_edit"),
    path("actions/<int:pk>/reorder/", editing.action_reorder, name="action_reorder"),
    path("actions/<int:pk>/move/", editing.action_move, name="action_move"),
    path("plans/", reading.plan_list, name="plan_list"),
    path("partnerships/<str:short_name>/plans/new/", editing.plan_create, name="plan_create"),
    path("plans/<slug:slug>/", reading.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/edit/", editing.plan_edit, name="plan_edit"),
    path("plans/<slug:slug>/priorities/add/", editing.priority_add, name="priority_add"),
    path("plans/<slug:slug>/objectives/add/", editing.objective_add, name="objective_add"),
    path("priorities/<int:pk>/edit/", editing.priority_edit, name="priority_edit"),
    path("objectives/<int:pk>/", editing.objective_edit, name="objective_edit"),
    path("parents/<int:parent_pk>/actions/add/", editing.action_add, name="action_add"),
]
