from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("workstreams/", include("workstreams.urls")),
    path("reviews/", include("reviews.urls")),
    path("", include("plans.urls")),
]
