"""The test suite's settings: production settings over plain http.

Tests talk to the app over http (the test client, Playwright's live server and the load
test's gunicorn on 127.0.0.1), so HTTPS redirects and secure-only cookies are off unless the
environment says otherwise. Everything else is exactly safeguarding.settings; the deploy check
itself is tested against that module (tests/test_security_settings.py).
"""

import os

os.environ.setdefault("HTTPS", "off")

from .settings import *  # noqa: E402, F403

# Creating test users with the production hasher costs most of a second each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks run at once, in the request, unless a test asks for the database queue
# (tests/oversight/test_pack_render.py runs the worker itself).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
