"""Meetings, the BMG cycle and packs (plans/views/meetings.py)."""

urlpatterns = []
