from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("", views.risk_home, name="risk_home"),
    path("<int:pk>/", views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/review/", views.risk_review, name="risk_review"),
    path("<int:pk>/archive/", views.risk_archive, name="risk_archive"),
    path("<int:pk>/restore/", views.risk_restore, name="risk_restore"),
    path("<str:partnership>/", views.risk_register, name="risk_register"),
    path("<str:partnership>/new/", views.risk_create, name="risk_create"),
    path("<str:partnership>/appetite/", views.appetite_edit, name="appetite_edit"),
]
