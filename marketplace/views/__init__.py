"""Pages of the platform core, by subject: notifications, API tokens, health."""
