from django.urls import path

from .views import editing, people, reading

app_name = "plans"

urlpatterns = [
    path("actions/<int:pk>/", reading.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", reading.action_update, name="action_update"),
    path("actions/<int:pk>/edit/", editing.action_edit, name="action_edit"),
    path("actions/<int:pk>/reorder/", editing.action_reorder, name="action_reorder"),
    path("actions/<int:pk>/move/", editing.action_move, name="action_move"),
    path("actions/<int:pk>/withdraw/", editing.action_withdraw, name="action_withdraw"),
    path("plans/", reading.plan_list, name="plan_list"),
    path("partnerships/<str:short_name>/plans/new/", editing.plan_create, name="plan_create"),
    path(
        "partnerships/<str:short_name>/ratings/",
        editing.rating_meanings,
        name="rating_meanings",
    ),
    path("plans/<slug:slug>/", reading.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/edit/", editing.plan_edit, name="plan_edit"),
    path("plans/<slug:slug>/priorities/add/", editing.priority_add, name="priority_add"),
    path("plans/<slug:slug>/objectives/add/", editing.objective_add, name="objective_add"),
    path("priorities/<int:pk>/edit/", editing.priority_edit, name="priority_edit"),
    path("objectives/<int:pk>/", editing.objective_edit, name="objective_edit"),
    path("parents/<int:parent_pk>/actions/add/", editing.action_add, name="action_add"),
    # People and access, groups and agencies.
    path("people/", people.people_list, name="people_list"),
    path("people/invite/<str:short_name>/", people.person_invite, name="person_invite"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/invite-again/", people.person_reinvite, name="person_reinvite"),
    path("people/<int:pk>/roles/<str:short_name>/", people.role_add, name="role_add"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path("roles/<int:pk>/remove/", people.role_remove, name="role_remove"),
    path("groups/<str:short_name>/", people.group_list, name="group_list"),
    path("groups/<str:short_name>/new/", people.group_create, name="group_create"),
    path("groups/edit/<int:pk>/", people.group_edit, name="group_edit"),
    path("agencies/<str:short_name>/new/", people.agency_create, name="agency_create"),
    path("agencies/edit/<int:pk>/", people.agency_edit, name="agency_edit"),
    path("accounts/invitation/<uidb64>/<token>/", people.invite_accept, name="invite_accept"),
]
