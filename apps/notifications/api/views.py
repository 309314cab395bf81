from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.access.api import AccessView
from apps.access.handovers import access_notification, notifications_visible_to
from apps.core.api import fields as strict
from apps.core.api.params import query_bool
from apps.notifications.models import Notification
from apps.notifications.services import notification_mark_read


class NotificationSerializer(strict.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "plan", "handover", "due", "created", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationList(AccessView):
    """My inbox for the acting organisation, newest first (cursor pagination; nothing is
    counted). Notifications about a plan the organisation can no longer see are not listed."""

    serializer_class = NotificationSerializer

    def get(self, request):  # type: ignore[no-untyped-def]
        queryset = notifications_visible_to(self.actor)
        if query_bool(request.query_params, "unread"):
            queryset = queryset.filter(read_at__isnull=True)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationRead(AccessView):
    serializer_class = NotificationSerializer

    @extend_schema(request=None)
    def post(self, request, pk):  # type: ignore[no-untyped-def]
        notification = access_notification(self.actor, pk)
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)
