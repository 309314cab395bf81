import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.coordination.models import GoalRating, Handover, HospitalEvent, Review, Transition
from apps.coordination.transitions import handover_transition_kind
from apps.core.api import fields as strict


class HandoverSerializer(strict.ModelSerializer):
    transition = serializers.SerializerMethodField(
        help_text="The kind of transition on the citizen's path the handover is marked as "
        "(it counts once accepted), or null."
    )

    class Meta:
        model = Handover
        fields = [
            "id",
            "plan",
            "state",
            "from_user",
            "from_organisation",
            "to_user",
            "to_organisation",
            "proposed_by",
            "note",
            "decline_reason",
            "decided_by",
            "created",
            "decided_at",
            "expires_at",
            "transition",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Transition.Kind.choices, allow_null=True))
    def get_transition(self, handover: Handover) -> str | None:
        return handover_transition_kind(handover)


class HandoverProposeSerializer(serializers.Serializer):
    to_user = strict.IdField()
    to_organisation = strict.IdField(required=False, allow_null=True)
    note = strict.CharField(max_length=2000, required=False, allow_blank=True, default="")
    transition = serializers.ChoiceField(
        choices=Transition.Kind.choices,
        required=False,
        allow_null=True,
        help_text="Mark the handover as a transition on the citizen's path; the note is its "
        "note. It counts once the handover is accepted.",
    )


class HandoverAcceptSerializer(serializers.Serializer):
    receiving_note = strict.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The receiving side's note, for a handover marked as a transition.",
    )


class HandoverDeclineSerializer(serializers.Serializer):
    reason = strict.CharField(max_length=2000)


class RatingSerializer(strict.ModelSerializer):
    """A goal's rating at a review (0-10): the citizen's and, separately, the professional's."""

    goal = strict.IdField(source="goal_id")
    citizen = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    professional = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    citizen_note = strict.CharField(max_length=500, required=False, allow_blank=True)
    note = strict.CharField(max_length=500, required=False, allow_blank=True)

    class Meta:
        model = GoalRating
        fields = ["goal", "citizen", "professional", "citizen_note", "note"]


class MeetingRatingSerializer(serializers.Serializer):
    """The citizen's rating of the meeting (0-10 each, each optional)."""

    heard = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    what_matters = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    approach = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    overall = strict.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)


class ReviewSerializer(strict.ModelSerializer):
    snapshot_version = strict.IntegerField(source="snapshot.plan_version", read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    meeting_rating = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "held_on",
            "outcome",
            "participants",
            "notes",
            "next_review",
            "recorded_by",
            "recorded_for",
            "created",
            "snapshot_version",
            "citizen_took_part",
            "citizen_view",
            "citizen_agreed",
            "ratings",
            "meeting_rating",
        ]
        read_only_fields = fields

    def get_meeting_rating(self, review: Review) -> MeetingRatingSerializer:
        return MeetingRatingSerializer(review).data  # type: ignore[return-value]


class ReviewCreateSerializer(serializers.Serializer):
    held_on = strict.DateField()
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    participants = serializers.ListField(
        child=strict.CharField(max_length=200), required=False, max_length=50
    )
    notes = strict.CharField(max_length=8000, required=False, allow_blank=True, default="")
    next_review = strict.DateField(required=False, allow_null=True)
    citizen_took_part = serializers.BooleanField(required=False, default=False)
    citizen_view = strict.CharField(max_length=4000, required=False, allow_blank=True, default="")
    citizen_agreed = serializers.BooleanField(required=False, default=False)
    ratings = RatingSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    meeting_rating = MeetingRatingSerializer(required=False)


class ProgressSerializer(serializers.Serializer):
    """One review's ratings of a goal."""

    review = strict.IntegerField(read_only=True)
    held_on = strict.DateField(read_only=True)
    citizen = strict.IntegerField(read_only=True, allow_null=True)
    professional = strict.IntegerField(read_only=True, allow_null=True)
    citizen_note = strict.CharField(read_only=True)
    note = strict.CharField(read_only=True)


class SnapshotSerializer(serializers.Serializer):
    review = strict.IntegerField(source="review_id")
    plan_version = strict.IntegerField()
    data = serializers.JSONField()  # type: ignore[assignment]  # the snapshot, named by the API
    created = strict.DateTimeField()


class ReviewDiffSerializer(serializers.Serializer):
    """What changed from review ``a``'s frozen plan to review ``b``'s."""

    a = strict.IntegerField(read_only=True)
    b = strict.IntegerField(read_only=True)
    changes = serializers.DictField(read_only=True)  # type: ignore[assignment]  # see snapshot_diff


class HospitalEventSerializer(strict.ModelSerializer):
    class Meta:
        model = HospitalEvent
        fields = [
            "id",
            "plan",
            "kind",
            "occurred_on",
            "notes",
            "readmission",
            "recorded_by",
            "created",
        ]
        # readmission: an admission within KIP_READMISSION_DAYS of a discharge on the plan.
        read_only_fields = ["id", "plan", "readmission", "recorded_by", "created"]


class EffectQuerySerializer(serializers.Serializer):
    """The period of the effect report; by default the twelve months up to today."""

    to = strict.DateField(required=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = strict.DateField(required=False)  # a Python keyword, so added here
        return fields

    def validate(self, attrs: dict) -> dict:
        to = attrs.get("to") or timezone.localdate()
        start = attrs.get("from") or to - relativedelta(years=1) + dt.timedelta(days=1)
        if start > to:
            raise serializers.ValidationError({"to": [_("Must not lie before 'from'.")]})
        return {"date_from": start, "date_to": to}


class EffectReportSerializer(serializers.Serializer):
    """Counts under five are "<5"; a share, median or mean from fewer than five, too."""

    organisation = strict.IntegerField()
    to = strict.DateField()
    plans_by_status = serializers.DictField(child=serializers.JSONField())
    reviews_on_time_share = serializers.JSONField(allow_null=True)
    median_days_to_first_effort = serializers.JSONField(allow_null=True)
    median_days_motivated_to_first_effort = serializers.JSONField(allow_null=True)
    goals = serializers.DictField(child=serializers.JSONField())
    mean_citizen_rating_change = serializers.JSONField(allow_null=True)
    heard_share = serializers.JSONField(allow_null=True)
    basis = serializers.DictField(child=serializers.JSONField())

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = strict.DateField()
        return fields
