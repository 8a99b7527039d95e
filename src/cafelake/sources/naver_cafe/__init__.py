"""Naver Cafe: everything cafelake knows of Naver lives in this package.

`api`: the list and article endpoints, their paths and shapes; `mapping`: an envelope to a candidate
post, and the keys that hold author identities; `session`: member cookies; `source`: the `SOURCE`
the registry names `naver_cafe`; `server`: a Naver-compatible server on loopback (the demo's and the
tests' Naver); `corpus`: the sample board in Naver's shapes. The last two are imported explicitly:
importing this package brings in neither them nor pyarrow, pandas or numpy (the scraper Lambda
carries none of those).
"""

from cafelake.sources.naver_cafe.source import SOURCE

__all__ = ["SOURCE"]
