"""``/api/v1/projects/``: a creator's projects and their shot lists.

Reads through ``creators.selectors.projects_for_user`` (another creator's
project is a 404), writes through ``creators.services`` (the calls the
project pages make). Serializers check only the shape of the input.
"""

import django_filters
from django.db.models import Count
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from creators.models import DistributionChannel, LikenessUsage, Project, Shot
from creators.selectors import creator_profile_of, projects_for_user, shots_for_project
from creators.services import InvalidDates, ShotNumberTaken, project_create, project_update, shot_add
from marketplace.api.errors import field_error
from marketplace.api.fields import PlainTextField
from marketplace.api.pagination import OldestFirstPagination
from marketplace.api.permissions import IsCreator
from marketplace.http import get_in_scope_or_404, signed_in_user


class ShotSerializer(serializers.ModelSerializer):
    description = PlainTextField(max_length=500)
    likeness_usage = serializers.ListField(
        child=serializers.ChoiceField(choices=LikenessUsage.choices), min_length=1, max_length=3
    )

    class Meta:
        model = Shot
        fields = ["id", "number", "description", "category", "likeness_usage", "duration_seconds", "position"]
        read_only_fields = ["id", "position"]
        # The number's uniqueness is the service's (and the database's) to decide.
        validators: list = []


class ProjectSerializer(serializers.ModelSerializer):
    title = PlainTextField(max_length=120)
    logline = PlainTextField(max_length=300, required=False, allow_blank=True)
    ai_tools = PlainTextField(max_length=200, required=False, allow_blank=True)
    distribution_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=DistributionChannel.choices), required=False, max_length=10
    )
    shot_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "logline",
            "category",
            "distribution_channels",
            "territory",
            "ai_tools",
            "start_date",
            "end_date",
            "status",
            "shot_count",
            "created_at",
            "updated_at",
            "url",
            "page_url",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_shot_count(self, project: Project) -> int:
        # The list annotates ``shot_count``; a detail view loaded the shots.
        if "ordered_shots" in vars(project):
            return len(project.ordered_shots)
        count = getattr(project, "shot_count", None)
        return count if count is not None else project.shots.count()

    def get_url(self, project: Project) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:v1:project-detail", args=[project.pk]))

    def get_page_url(self, project: Project) -> str:
        return self.context["request"].build_absolute_uri(reverse("creators:project_detail", args=[project.pk]))


class ProjectDetailSerializer(ProjectSerializer):
    shots = ShotSerializer(many=True, read_only=True, source="ordered_shots")

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "shots"]


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Project.Status.choices)

    class Meta:
        model = Project
        fields = ["status"]


def _project_fields(data: dict, project: Project | None = None) -> dict:
    """Every field the services take: the input, and for a PATCH the
    project's current value of each field not sent."""
    names = ["title", "logline", "category", "distribution_channels", "territory", "ai_tools"]
    names += ["start_date", "end_date", "status"]
    if project is None:
        fields = {name: data[name] for name in names if name in data}
        # Optional in the API as in the model; the service takes it always.
        fields.setdefault("territory", Project._meta.get_field("territory").get_default())
        return fields
    return {name: data.get(name, getattr(project, name)) for name in names}


def _with_shots(project: Project) -> Project:
    project.ordered_shots = list(shots_for_project(project).order_by("position", "number", "id"))
    return project


def _dates_error(exc: InvalidDates) -> Response:
    return Response(field_error("end_date", exc.message), status=status.HTTP_400_BAD_REQUEST)


class ProjectList(generics.ListCreateAPIView):
    permission_classes = [IsCreator]
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    # The model for the schema; every request reads through get_queryset().
    queryset = Project.objects.none()

    def get_queryset(self):
        return projects_for_user(signed_in_user(self.request)).annotate(shot_count=Count("shots"))

    @extend_schema(summary="Your projects, newest first", tags=["projects"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Create a project", responses={201: ProjectDetailSerializer}, tags=["projects"])
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = ProjectSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            project = project_create(
                creator=creator_profile_of(signed_in_user(request)), **_project_fields(serializer.validated_data)
            )
        except InvalidDates as exc:
            return _dates_error(exc)
        body = ProjectDetailSerializer(_with_shots(project), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ProjectDetail(generics.GenericAPIView):
    permission_classes = [IsCreator]
    serializer_class = ProjectDetailSerializer

    def _project(self, request: Request, pk: int) -> Project:
        return get_in_scope_or_404(request, projects_for_user(signed_in_user(request)), pk=pk)

    @extend_schema(summary="One of your projects, with its shots", tags=["projects"])
    def get(self, request: Request, pk: int) -> Response:
        project = _with_shots(self._project(request, pk))
        return Response(ProjectDetailSerializer(project, context={"request": request}).data)

    @extend_schema(summary="Change a project (only the fields sent)", request=ProjectSerializer, tags=["projects"])
    def patch(self, request: Request, pk: int) -> Response:
        project = self._project(request, pk)
        serializer = ProjectSerializer(project, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            project_update(project=project, **_project_fields(serializer.validated_data, project))
        except InvalidDates as exc:
            project.refresh_from_db()
            return _dates_error(exc)
        return Response(ProjectDetailSerializer(_with_shots(project), context={"request": request}).data)


class ShotListPagination(OldestFirstPagination):
    """The shot list's order (``Shot.Meta.ordering``), not the order of creation."""

    ordering = ("position", "number", "id")


class ShotList(generics.ListCreateAPIView):
    """A project's shot list, in the order the project page shows it."""

    permission_classes = [IsCreator]
    serializer_class = ShotSerializer
    pagination_class = ShotListPagination
    # The model for the schema; every request reads through get_queryset().
    queryset = Shot.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        scoped = projects_for_user(signed_in_user(self.request))
        project = get_in_scope_or_404(self.request, scoped, pk=self.kwargs["pk"])
        return shots_for_project(project)

    @extend_schema(summary="A project's shots", tags=["projects"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Add a shot at the end of the shot list", tags=["projects"])
    def post(self, request: Request, pk: int) -> Response:
        project = get_in_scope_or_404(request, projects_for_user(signed_in_user(request)), pk=pk)
        serializer = ShotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            shot = shot_add(project=project, **serializer.validated_data)
        except ShotNumberTaken as exc:
            return Response(field_error("number", exc.message), status=status.HTTP_400_BAD_REQUEST)
        return Response(ShotSerializer(shot).data, status=status.HTTP_201_CREATED)
