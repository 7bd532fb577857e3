"""gunicorn for production (``Procfile.production``): one file, every value
from the environment with a default that suits a small host.

* ``gthread`` workers: each process serves ``GUNICORN_THREADS`` requests at
  once, so a slow client downloading a private file (streamed from local
  disk; with object storage it gets a presigned redirect instead) or a
  licensed copy being made holds one thread, not a whole process. Django is
  thread-safe; each process's PostgreSQL pool (``max_size`` 10) covers its
  threads.
* ``WEB_CONCURRENCY`` processes (default: 2 per core, at least 2).
* ``max_requests`` with jitter recycles a process now and then, so memory a
  large image left behind is given back, without all processes restarting
  at once.
* ``timeout`` above the slowest request (a 40 MP upload sanitized, a licensed
  PNG copy: a few seconds), ``graceful_timeout`` long enough to finish it.
* Client addresses: the portal reads ``X-Forwarded-For`` itself, trusting
  ``NUM_PROXIES`` hops (``marketplace.http``); gunicorn's own
  ``forwarded_allow_ips`` only decides which peers may set the scheme
  headers, ``FORWARDED_ALLOW_IPS`` (default: loopback, the usual proxy).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or os.environ.get('WEB_PORT') or 8000}"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# The heartbeat file lives in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# The app is loaded by each worker, not by the arbiter: a code reload is a
# plain HUP, and no connection opened before the fork is shared.
preload_app = False
