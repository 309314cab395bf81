from django.urls import path

from apps.coordination.api import discharge as d
from apps.coordination.api import transitions as t
from apps.coordination.api import views as v
from apps.notifications.api import views as n

urlpatterns = [
    path("plans/<id:plan_pk>/handovers/", v.PlanHandoverList.as_view(), name="plan-handover-list"),
    path("handovers/", v.HandoverList.as_view(), name="handover-list"),
    path("handovers/<id:pk>/", v.HandoverDetail.as_view(), name="handover-detail"),
    path("handovers/<id:pk>/accept/", v.HandoverAccept.as_view(), name="handover-accept"),
    path("handovers/<id:pk>/decline/", v.HandoverDecline.as_view(), name="handover-decline"),
    path("handovers/<id:pk>/cancel/", v.HandoverCancel.as_view(), name="handover-cancel"),
    path("plans/<id:plan_pk>/reviews/", v.ReviewList.as_view(), name="review-list"),
    path(
        "plans/<id:plan_pk>/reviews/<id:pk>/snapshot/",
        v.ReviewSnapshot.as_view(),
        name="review-snapshot",
    ),
    path(
        "plans/<id:plan_pk>/reviews/<id:a>/diff/<id:b>/",
        v.ReviewDiff.as_view(),
        name="review-diff",
    ),
    path(
        "plans/<id:plan_pk>/goals/<id:pk>/progress/",
        v.GoalProgress.as_view(),
        name="goal-progress",
    ),
    path(
        "plans/<id:plan_pk>/hospital-events/",
        v.HospitalEventList.as_view(),
        name="hospital-event-list",
    ),
    path(
        "plans/<id:plan_pk>/discharge-tasks/",
        d.DischargeTaskList.as_view(),
        name="discharge-task-list",
    ),
    path(
        "plans/<id:plan_pk>/discharge-tasks/<id:pk>/",
        d.DischargeTaskDetail.as_view(),
        name="discharge-task-detail",
    ),
    path(
        "plans/<id:plan_pk>/transitions/",
        t.TransitionList.as_view(),
        name="transition-list",
    ),
    path("reports/effect/", v.EffectReport.as_view(), name="effect-report"),
    path("notifications/", n.NotificationList.as_view(), name="notification-list"),
    path("notifications/<id:pk>/read/", n.NotificationRead.as_view(), name="notification-read"),
]
