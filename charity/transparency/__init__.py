"""Transparency score: every organisation measured against the law and the transparency
indices, from its own data, with the list of gaps (issue 9).

`indicators` (the indicator set, as data), `measures` (how each is measured), `scoring`
(weighting, grading, the daily history), `queries`, `serialise` and `views/`."""
