"""What the API returns, and the plan list's filters. Read-only throughout."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bankplan.documents.snapshot import upgrade
from bankplan.headoffice.rollup import STATES
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi, Plan, Status
from bankplan.reviews.models import Version, VersionPdf

# The largest id a filter takes: beyond it no row exists, and SQLite's integers end.
MAX_ID = 2**63 - 1
# Figures keep the database's four places (万元 to the yuan, ratios to 0.01 ‰).
PLACES = 4


class Figure(serializers.DecimalField):
    """A figure, or null where there is none (no plans counted, no allocation)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=PLACES, allow_null=True, **kwargs)


class CycleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "year", "name"]


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent"]


class CycleSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Cycle
        fields = ["id", "year", "name", "opens_on", "deadline", "closed_at", "is_open"]


class KpiSerializer(serializers.ModelSerializer):
    base = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Kpi
        fields = [
            "id", "code", "name", "name_en", "measure", "direction", "is_balance",
            "aggregation", "base", "position",
        ]  # fmt: skip


class VersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Version
        fields = ["number", "submitted_at", "approved_at"]


class PlanSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(source="status", choices=Status.choices, read_only=True)
    cycle = CycleRefSerializer(read_only=True)
    branch = UnitRefSerializer(read_only=True)
    region = UnitRefSerializer(source="branch.region", read_only=True, allow_null=True)
    versions = VersionRefSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "state", "cycle", "branch", "region", "created_at", "updated_at", "versions"
        ]  # fmt: skip


class PdfSerializer(serializers.ModelSerializer):
    class Meta:
        model = VersionPdf
        fields = ["kind", "state", "rendered_at"]


class VersionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    submitted_by = serializers.StringRelatedField()
    approved_by = serializers.StringRelatedField()
    pdfs = PdfSerializer(many=True, read_only=True)
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = [
            "plan", "number", "submitted_by", "submitted_at", "approved_by", "approved_at",
            "pdfs", "snapshot",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_snapshot(self, version) -> dict:
        """The plan as it was submitted, in today's snapshot schema
        (documents/snapshot.py describes it)."""
        return upgrade(version.snapshot)


class PlanFilterSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A cycle's id."
    )
    year = serializers.IntegerField(
        required=False, min_value=1, max_value=32767, help_text="A cycle's plan year."
    )
    region = serializers.CharField(
        required=False, max_length=20, help_text="A region's unit code: its branches' plans."
    )
    state = serializers.ChoiceField(required=False, choices=Status.choices)


class KpiLineSerializer(serializers.Serializer):
    """One KPI rolled up: the counted (submitted and approved) plans' figures against the
    unit's allocation, and the plans still being written apart."""

    kpi = serializers.CharField(source="kpi.code")
    plans = serializers.IntegerField(source="sums.plans")
    target = Figure()
    last_actual = Figure()
    growth = Figure(help_text="Against last year: percent, or percentage points for a ratio.")
    allocated = Figure()
    gap = Figure(help_text="Target less allocation, in the KPI's unit: negative when short.")
    drafts = serializers.IntegerField(source="sums.drafts")
    draft_target = Figure(source="sums.draft_target")


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    late = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=f"Branches by the state of their plan: {', '.join(STATES)}.",
    )


class RollupGroupSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    direct = serializers.BooleanField(
        help_text="The branches directly under the unit, not under a unit between."
    )
    progress = ProgressSerializer()
    kpis = KpiLineSerializer(many=True)


class RollupSerializer(serializers.Serializer):
    cycle = CycleRefSerializer()
    unit = UnitSerializer()
    catalogue = KpiSerializer(many=True)
    progress = ProgressSerializer()
    kpis = KpiLineSerializer(many=True)
    groups = RollupGroupSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PdfNotReadySerializer(ErrorSerializer):
    state = serializers.ChoiceField(choices=VersionPdf.State.choices)
