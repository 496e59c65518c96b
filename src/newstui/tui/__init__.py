"""The reader: a Textual app over the archive. The only package that imports Textual."""
