"""Meetings, the BMG cycle and packs (plans/views/meetings.py)."""

from django.urls import path

from .views import meetings

urlpatterns = [
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/pack/", meetings.pack_preview, name="meeting_pack"),
    path("meetings/<int:pk>/pack.pdf", meetings.pack_pdf, name="meeting_pack_pdf"),
]
