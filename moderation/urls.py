"""URLs of the moderation app: the moderators' workplace under /moderation/
(404 for everyone else), the actor's identity check, the parties'
dispute and report pages, and /trace/ (a found copy traced to its delivery)."""

from django.urls import path

from moderation.views import disputes, identity, reports, trace, verification, workplace

app_name = "moderation"
urlpatterns = [
    path("actors/me/verify/", identity.identity_check, name="identity_check"),
    # workplace
    path("moderation/", workplace.home, name="home"),
    path("moderation/claim/<slug:kind>/<int:pk>/", workplace.claim, name="claim"),
    path("moderation/release/<slug:kind>/<int:pk>/", workplace.release, name="release"),
    path("moderation/users/<int:pk>/", workplace.user_detail, name="user"),
    path("moderation/users/<int:pk>/sanction/", workplace.user_sanction, name="user_sanction"),
    path("moderation/users/<int:pk>/studio/", workplace.studio_verification, name="studio_verification"),
    path("moderation/audit/", workplace.audit_log, name="audit"),
    # verification
    path("moderation/verifications/", verification.verification_list, name="verifications"),
    path("moderation/verifications/<int:pk>/", verification.verification_detail, name="verification"),
    path("moderation/verifications/<int:pk>/decide/", verification.verification_decide, name="verification_decide"),
    path("moderation/verifications/<int:pk>/<slug:which>/", verification.verification_image, name="verification_image"),
    # disputes
    path("requests/<int:pk>/dispute/", disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", disputes.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/messages/", disputes.dispute_message, name="dispute_message"),
    path("disputes/<int:pk>/evidence/", disputes.dispute_evidence_add, name="dispute_evidence_add"),
    path("disputes/<int:pk>/evidence/<int:evidence_pk>/", disputes.dispute_evidence, name="dispute_evidence"),
    path("moderation/disputes/", disputes.dispute_list, name="disputes"),
    path("moderation/disputes/<int:pk>/review/", disputes.dispute_review, name="dispute_review"),
    path("moderation/disputes/<int:pk>/decide/", disputes.dispute_decide, name="dispute_decide"),
    # leak tracing (actors and moderators)
    path("trace/", trace.trace, name="trace"),
    path("trace/dispute/", trace.trace_dispute, name="trace_dispute"),
    # reports
    path("roster/<slug:slug>/report/", reports.report_actor, name="report_actor"),
    path("creators/<int:pk>/report/", reports.report_creator, name="report_creator"),
    path("moderation/reports/", reports.reports, name="reports"),
    path("moderation/reports/<int:pk>/", reports.report_detail, name="report"),
    path("moderation/reports/<int:pk>/decide/", reports.report_decision, name="report_decide"),
    path("moderation/photos/", reports.photos, name="photos"),
    path("moderation/photos/<int:pk>/decide/", reports.photo_decision, name="photo_decide"),
]
