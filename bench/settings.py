"""Benchmark settings: the project's, plus a ceiling view to compare our pages against."""

from safeguarding.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
