"""CSV exports of earlier scrapes: the registry's `csv_import`, read from files, never walked.

`layout`: which column holds what (the old study's Selenium export by default); `reader`: a file
to one envelope payload per row, untouched; `mapping`: an envelope to a candidate post. The rows
are posts of another source (`origin`, Naver's by default): an article imported and later
scraped is one post. `cafelake import csv FILE` is the command; docs/adding-a-source.md walks
through this package as the worked example.
"""

from cafelake.sources.csv_import.source import SOURCE

__all__ = ["SOURCE"]
