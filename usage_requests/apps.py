from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageRequestsConfig(AppConfig):
    name = "usage_requests"
    verbose_name = _("Usage requests and contracts")

    def ready(self) -> None:
        # Models, selectors and services load only once the app registry is
        # ready, so these imports cannot move to the top.
        from actors import hooks
        from usage_requests import notifications  # noqa: F401 - registers the notification kinds
        from usage_requests.selectors import access_delivery_marks, active_licence_code_for, records_for_actor
        from usage_requests.services import delivery_make, usage_requests_decline_for_actor

        def decline_open_requests_on_opt_out(sender, actor, **kwargs) -> None:
            """Leaving the roster declines every request still waiting on
            either side; contracts are unaffected (they were signed)."""
            usage_requests_decline_for_actor(actor=actor)

        hooks.actor_opted_out.connect(
            decline_open_requests_on_opt_out, weak=False, dispatch_uid="usage_requests.decline_on_opt_out"
        )
        hooks.licence_for_original.register(
            lambda creator_user, actor: active_licence_code_for(creator_user=creator_user, actor=actor)
        )
        hooks.deliver_original.register(delivery_make)
        hooks.access_deliveries.register(access_delivery_marks)
        hooks.export_records.register("usage_requests", records_for_actor)
