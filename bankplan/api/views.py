"""The read-only API. Every view scopes through the web's own entry points: plans through
``plans.access.get_plan_for`` and ``Plan.objects.visible_to``, units and roll-ups through
``headoffice.access``; what the user may not read answers 404, as on the pages.

DRF marks its views as not needing the log-in middleware's log-in (``login_required =
False``): it signs requests in itself (authentication.py), and a request it cannot sign in
gets 401 in JSON, not a redirect to the log-in page."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from bankplan.headoffice import rollup
from bankplan.headoffice.access import get_cycle, get_unit_for
from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of
from bankplan.plans.access import get_plan_for
from bankplan.plans.models import Cycle, Plan
from bankplan.reviews.downloads import version_pdf_response
from bankplan.reviews.models import Version, VersionPdf

from . import serializers

# A version's PDF is rendered by a task within a minute or so of the submission.
RETRY_AFTER_SECONDS = 30
NOT_FOUND = OpenApiResponse(serializers.ErrorSerializer, description="Not there, or not yours.")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for a token or a signed-in user."""


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI for signed-in users (the log-in middleware sends others to the log-in
    page). Its start-up script is a file of its own (?script), as the CSP requires."""

    template_name = "api/docs.html"
    url_name = "api:schema"

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        # DRF lets its views past the log-in middleware (a token signs the request in, and
        # no token is a 401 in JSON); this one is a page, for which no log-in means the
        # log-in page.
        view.login_required = True
        return view


class CycleList(generics.ListAPIView):
    """Every planning cycle, newest first (a handful: not paginated)."""

    queryset = Cycle.objects.order_by("-year")
    serializer_class = serializers.CycleSerializer
    pagination_class = None


@extend_schema(responses={200: serializers.CycleSerializer, 404: NOT_FOUND})
class CycleDetail(generics.RetrieveAPIView):
    """One planning cycle: its year, deadline, and whether it is open or closed."""

    queryset = Cycle.objects.all()
    serializer_class = serializers.CycleSerializer
    lookup_url_kwarg = "cycle_id"


@extend_schema(responses={200: serializers.KpiSerializer(many=True), 404: NOT_FOUND})
class KpiList(generics.ListAPIView):
    """The cycle's KPI catalogue, in its display order."""

    serializer_class = serializers.KpiSerializer
    pagination_class = None

    def get_queryset(self):
        cycle = get_cycle(self.kwargs["cycle_id"])
        return cycle.kpis.select_related("base").order_by("position", "pk")


class UnitList(generics.ListAPIView):
    """The units whose roll-ups the user may read: head office's, regions' and
    second-tier branches' that they oversee and those below (none for branch people)."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self):
        scope = scope_of(self.request.user)
        if not scope.oversees:
            return Unit.objects.none()
        return Unit.objects.filter(scope.unit_filter()).exclude(kind=Unit.Kind.BRANCH)


@extend_schema(responses={200: serializers.RollupSerializer, 404: NOT_FOUND})
class RollupView(APIView):
    """A unit's progress and KPI roll-up in a cycle, with one line per group below it
    (head office: the regions; a region: its second-tier branches and the branches
    directly under it), as the dashboard shows them."""

    def get(self, request, cycle_id, unit_id):
        unit = get_unit_for(request.user, unit_id)
        if unit.kind == Unit.Kind.BRANCH:
            raise Http404  # a branch is read through its plan
        cycle = get_cycle(cycle_id)
        groups, whole = rollup.progress(cycle, unit)
        rolled = rollup.rollup(cycle, unit, groups)
        data = {
            "cycle": cycle,
            "unit": unit,
            "catalogue": rolled.kpis,
            "progress": whole,
            "kpis": rolled.whole,
            "groups": [
                {
                    "unit": group.unit,
                    "direct": group.direct,
                    "progress": group,
                    "kpis": rolled.by_group[group.unit.pk],
                }
                for group in groups
            ],
        }
        return Response(serializers.RollupSerializer(data).data)


def _versions():
    """A plan's versions without their snapshots (the largest column by far)."""
    return Prefetch("versions", queryset=Version.objects.defer("snapshot").order_by("number"))


@extend_schema(parameters=[serializers.PlanFilterSerializer])
class PlanList(generics.ListAPIView):
    """The plans the user may read, filtered by cycle, region and state."""

    serializer_class = serializers.PlanSerializer

    def get_queryset(self):
        filters = serializers.PlanFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        chosen = filters.validated_data
        plans = Plan.objects.visible_to(self.request.user)
        if "cycle" in chosen:
            plans = plans.filter(cycle=chosen["cycle"])
        if "year" in chosen:
            plans = plans.filter(cycle__year=chosen["year"])
        if "region" in chosen:
            plans = plans.filter(branch__region__code=chosen["region"])
        if "state" in chosen:
            plans = plans.filter(status=chosen["state"])
        return plans.select_related("cycle", "branch__region").prefetch_related(_versions())


@extend_schema(responses={200: serializers.PlanSerializer, 404: NOT_FOUND})
class PlanDetail(APIView):
    """One plan: its state, branch, region, cycle and submitted versions."""

    def get(self, request, plan_id):
        plan = get_plan_for(request.user, plan_id)
        prefetch_related_objects([plan], _versions())
        return Response(serializers.PlanSerializer(plan).data)


def _version(user, plan_id, number) -> tuple[Plan, Version]:
    plan = get_plan_for(user, plan_id)
    version = get_object_or_404(
        plan.versions.select_related("submitted_by", "approved_by").prefetch_related("pdfs"),
        number=number,
    )
    return plan, version


@extend_schema(responses={200: serializers.VersionSerializer, 404: NOT_FOUND})
class VersionDetail(APIView):
    """One submitted version: who submitted and approved it, its PDFs, and its content
    as frozen at submission (the snapshot)."""

    def get(self, request, plan_id, number):
        _plan, version = _version(request.user, plan_id, number)
        return Response(serializers.VersionSerializer(version).data)


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
        404: NOT_FOUND,
        409: OpenApiResponse(
            serializers.PdfNotReadySerializer, description="Not rendered (yet), or failed."
        ),
    },
)
class VersionPdfView(APIView):
    """The version's stored PDF, ``submitted`` or ``approved`` (once approved). Recorded
    in the audit log and stamped for readers outside the branch, like the page's
    download."""

    def get(self, request, plan_id, number, kind):
        plan, version = _version(request.user, plan_id, number)
        stored = next((pdf for pdf in version.pdfs.all() if pdf.kind == kind), None)
        if stored is None:
            raise Http404
        if not stored.is_ready:
            detail = (
                _("The PDF failed to render; head office can have it made again.")
                if stored.state == VersionPdf.State.FAILED
                else _("The PDF is being prepared; ask again in a minute.")
            )
            response = Response({"detail": detail, "state": stored.state}, status=409)
            if stored.state == VersionPdf.State.PENDING:
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return version_pdf_response(stored, plan=plan, reader=request.user)
