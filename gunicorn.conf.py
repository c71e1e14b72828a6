"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py safeguarding.wsgi`.

Every value can be changed from the environment, so each app server behind the load
balancer runs the same command. See README.md, "Running for a whole region".
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request per process. A request that dies hard (a PDF render killed for
# memory, say) takes only its own worker down, the master starts a new one, and no other
# user's request is lost with it.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# A 200-page BMG pack takes about 25 s to lay out; anything past this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# WeasyPrint keeps memory it has used; recycle workers now and then (jittered so they do
# not all restart together).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# Heartbeat files in RAM, not on a possibly slow disk (gunicorn makes them with mkstemp and
# unlinks them at once, so a shared directory is safe here).
_shm = "/dev/shm"  # noqa: S108
worker_tmp_dir = _shm if os.path.isdir(_shm) else None

# Trust X-Forwarded-* only from the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Refuse oversized request lines and headers early.
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The access log records path and status, never query strings with tokens or cookies.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
