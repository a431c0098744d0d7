"""Calendar feeds (iCalendar) for every step, school and participant, and e-mailed invitations."""
