"""Pages of agendas and development goals, one module per job (each with its own router, listed in
app.main); their sections on the meeting and school pages.
"""
