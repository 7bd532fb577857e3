from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # django-stubs is a development requirement only
    from django_stubs_ext import WithAnnotations

from creators.models import CreatorProfile, Project, ShortlistEntry, Shot


class ShotCount(TypedDict):
    shot_count: int


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "studio", "is_verified", "created_at"]
    list_filter = ["is_verified", "country"]
    search_fields = ["display_name", "studio", "user__email"]
    list_select_related = ["user"]
    # The badge changes only through moderation.services.creator_verify and
    # creator_unverify (the moderators' user page), which audit it.
    readonly_fields = ["user", "is_verified", "hidden_at", "created_at", "updated_at"]
    # As on the profile page: a website typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A creator is made by creator_profile_create (onboarding).
        return False


class ShotInline(admin.TabularInline):
    model = Shot
    extra = 0
    fields = ["number", "position", "description", "category", "likeness_usage", "duration_seconds"]
    ordering = ["position", "number", "id"]


class ShortlistEntryInline(admin.TabularInline):
    model = ShortlistEntry
    extra = 0
    autocomplete_fields = ["actor"]
    readonly_fields = ["added_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "creator", "status", "category", "territory", "shot_count", "updated_at"]
    list_filter = ["status", "category", "territory"]
    search_fields = ["title", "logline", "creator__display_name", "creator__user__email"]
    list_select_related = ["creator"]
    autocomplete_fields = ["creator"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ShotInline, ShortlistEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(shot_count=Count("shots"))

    @admin.display(description=_("shots"), ordering="shot_count")
    def shot_count(self, obj: "WithAnnotations[Project, ShotCount]") -> int:
        return obj.shot_count


@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(admin.ModelAdmin):
    list_display = ["actor", "project", "added_at"]
    search_fields = ["actor__stage_name", "actor__slug", "project__title"]
    list_select_related = ["actor", "project"]
    autocomplete_fields = ["project", "actor"]
    readonly_fields = ["added_at"]
