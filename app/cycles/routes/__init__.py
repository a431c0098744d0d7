"""Pages of the annual cycle, one module per job (each with its own router, listed in app.main):
the year wheel and timeline, holidays, the distribution of schools, the step pages; sections on
the school page and the municipality overview.
"""
