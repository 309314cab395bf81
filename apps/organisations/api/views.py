from django.contrib.auth import get_user_model
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import fields as strict
from apps.organisations.models import Membership, Organisation


class OrganisationSerializer(strict.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind", "sector"]


class MembershipSerializer(strict.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "organisation_name", "role"]


class MeSerializer(strict.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "memberships"]


class OrganisationList(generics.ListAPIView):
    """The organisations that can take part in plans (no citizen data)."""

    serializer_class = OrganisationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Organisation.objects.all()


class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Organisation.objects.all()


class Me(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request):  # type: ignore[no-untyped-def]
        user = (
            get_user_model()
            .objects.prefetch_related("memberships__organisation")
            .get(pk=request.user.pk)
        )
        return Response(MeSerializer(user).data)
