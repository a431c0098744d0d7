"""SUS — skoleudviklingssamtaler: the annual cycle of school development dialogues."""
