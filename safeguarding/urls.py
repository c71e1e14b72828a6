from django.contrib import admin
from django.urls import include, path

from . import passwords, second_factor, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
    path("accounts/two-factor/", second_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", second_factor.setup, name="two_factor_setup"),
    # Before Django's own: the link from SITE_URL, even answer times, a throttle.
    path("accounts/password_reset/", passwords.ResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("workstreams/", include("workstreams.urls")),
    path("reviews/", include("reviews.urls")),
    path("risks/", include("risks.urls")),
    path("quality/", include("quality.urls")),
    path("", include("plans.urls")),
    path("", include("oversight.urls")),
]

handler403 = "safeguarding.views.permission_denied"
handler500 = "safeguarding.views.server_error"
