"""Notification kinds of the actor side."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import NotificationKind, register

DATA_EXPORT_READY = register(
    NotificationKind(
        key="actors.data_export_ready",
        title=_("Your data export is ready"),
        body=_("Download it from the “Your data” page within %(days)s days; after that the link stops working."),
    )
)
