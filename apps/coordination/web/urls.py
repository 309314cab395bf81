from django.urls import path

from apps.coordination.web import handovers, hospital, reviews

app_name = "coordination"

urlpatterns = [
    path("handovers/", handovers.handover_list, name="handovers"),
    path("handovers/<int:pk>/", handovers.handover_detail, name="handover"),
    path("handovers/<int:pk>/accept/", handovers.handover_accept, name="handover-accept"),
    path("handovers/<int:pk>/decline/", handovers.handover_decline, name="handover-decline"),
    path("handovers/<int:pk>/cancel/", handovers.handover_cancel, name="handover-cancel"),
    path("plans/<int:pk>/handover/", handovers.handover_propose, name="handover-propose"),
    path("plans/<int:pk>/reviews/", reviews.review_list, name="reviews"),
    path("plans/<int:pk>/reviews/new/", reviews.review_new, name="review-new"),
    path("plans/<int:pk>/reviews/<int:review>/", reviews.review_detail, name="review"),
    path(
        "plans/<int:pk>/reviews/<int:a>/diff/<int:b>/",
        reviews.review_compare,
        name="review-diff",
    ),
    path(
        "plans/<int:pk>/hospital-events/new/",
        hospital.hospital_event_new,
        name="hospital-event-new",
    ),
]
