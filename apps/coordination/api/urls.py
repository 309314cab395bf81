from django.urls import path

from apps.coordination.api import views as v
from apps.notifications.api import views as n

urlpatterns = [
    path("plans/<int:plan_pk>/handovers/", v.PlanHandoverList.as_view(), name="plan-handover-list"),
    path("handovers/", v.HandoverList.as_view(), name="handover-list"),
    path("handovers/<int:pk>/", v.HandoverDetail.as_view(), name="handover-detail"),
    path("handovers/<int:pk>/accept/", v.HandoverAccept.as_view(), name="handover-accept"),
    path("handovers/<int:pk>/decline/", v.HandoverDecline.as_view(), name="handover-decline"),
    path("handovers/<int:pk>/cancel/", v.HandoverCancel.as_view(), name="handover-cancel"),
    path("plans/<int:plan_pk>/reviews/", v.ReviewList.as_view(), name="review-list"),
    path(
        "plans/<int:plan_pk>/reviews/<int:pk>/snapshot/",
        v.ReviewSnapshot.as_view(),
        name="review-snapshot",
    ),
    path(
        "plans/<int:plan_pk>/reviews/<int:a>/diff/<int:b>/",
        v.ReviewDiff.as_view(),
        name="review-diff",
    ),
    path(
        "plans/<int:plan_pk>/hospital-events/",
        v.HospitalEventList.as_view(),
        name="hospital-event-list",
    ),
    path("notifications/", n.NotificationList.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", n.NotificationRead.as_view(), name="notification-read"),
]
