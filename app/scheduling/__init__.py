"""Scheduling: availability, the auto-scheduler, proposals to review, moves and conflicts."""
