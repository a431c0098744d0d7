"""Pages for scheduling, one module per job (each with its own router, listed in app.main)."""
