"""The topology suite: the portal as several hosts run it (two gunicorn webs,
two Celery workers, two beats by mistake) on one PostgreSQL, one Redis and an
S3 API (issue 14). Marker ``topology``; the PostgreSQL pass only."""
