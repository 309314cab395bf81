from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.access.handovers import notifications_visible_to
from apps.core.exceptions import NotFound
from apps.notifications.models import Notification
from apps.notifications.services import notification_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "plan", "handover", "due", "created", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationList(GenericAPIView):
    """My inbox, newest first (cursor pagination; nothing is counted)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="true: only the unread ones")],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        queryset = notifications_visible_to(request.user)
        if request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationRead(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer

    @extend_schema(request=None)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        notification = notifications_visible_to(request.user).filter(pk=pk).first()
        if notification is None:
            raise NotFound("Not found.")
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)
