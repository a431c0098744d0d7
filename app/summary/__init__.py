"""The municipality's look across all its dialogues of a school year (opsamling): the year
summary page, its two public versions (school leaders, the political committee) and the
presentation exported from them."""
