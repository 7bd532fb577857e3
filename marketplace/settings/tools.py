"""Settings of generated outputs (video caps, review reminders, the AI
labels of approved outputs' copies) and of creators' webhooks, read by
``base``."""

import environ

env = environ.Env()

# --- Generated output videos (marketplace.videos.inspect_video): MP4 or WebM ---
OUTPUT_VIDEO_MAX_BYTES = env.int("OUTPUT_VIDEO_MAX_BYTES", default=50 * 1024 * 1024)
OUTPUT_VIDEO_MAX_SECONDS = env.int("OUTPUT_VIDEO_MAX_SECONDS", default=120)
OUTPUT_VIDEO_MAX_PIXELS = env.int("OUTPUT_VIDEO_MAX_PIXELS", default=3840 * 2160)  # a frame, 4K UHD

# A generated output waiting this many days for the actor's review reminds
# the actor (and again every that many days while it waits); at least 1.
OUTPUT_REVIEW_REMINDER_DAYS = max(env.int("OUTPUT_REVIEW_REMINDER_DAYS", default=3), 1)

# AI-content labels on the copies of approved outputs (marketplace.labelling, GB 45438): the service
# provider the implicit label names, by name, and by its code once one is assigned (used instead).
AI_LABEL_PROVIDER_NAME = env("AI_LABEL_PROVIDER_NAME", default="ConsentCast")
AI_LABEL_PROVIDER_CODE = env("AI_LABEL_PROVIDER_CODE", default="")

# --- Webhooks (usage_requests.services.webhooks) ----------------------------
# Seconds a receiver has to answer one delivery.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Attempts of one delivery before it is abandoned (a replay starts it again).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Failed attempts in a row (any delivery of the endpoint; a success resets
# the count) after which the endpoint is turned off and its owner told.
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=15)
# How often beat looks for endpoints with deliveries due (retries, lost tasks).
WEBHOOK_SWEEP_SECONDS = env.int("WEBHOOK_SWEEP_SECONDS", default=60)
# Plain http:// to 127.0.0.1 / localhost, for a tool on the developer's own
# machine. Never in production: every other URL must be https:// to a
# public address.
WEBHOOK_ALLOW_LOOPBACK_HTTP = env.bool("WEBHOOK_ALLOW_LOOPBACK_HTTP", default=False)
