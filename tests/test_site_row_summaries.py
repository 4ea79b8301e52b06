"""Listing pages render each incident's summary from its site row (views.row_summary), with
no incident materialised: it must be the very value views.summary makes from the incident."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from test_site_selections import Repo, rows_of
from warroom.site.layout import translator
from warroom.site.views import Views, row_exact


@pytest.mark.parametrize("audience", ["public", "internal"])
@pytest.mark.parametrize("seed", [3, 4])
def test_a_summary_from_its_row_is_the_summary_from_its_incident(
        tmp_path: Path, audience: str, seed: int) -> None:
    repo = Repo(tmp_path, 400, seed=seed)
    # Before, inside and after the span, and on maintenance windows' bounds (their state).
    nows = repo.nows(random.Random(seed))
    for now in nows:
        data = repo.data(audience, now)
        rows = rows_of(data, repo.incidents)
        t = translator(data)
        from_incidents, from_rows = Views(data, t), Views(data, t)
        for incident in data.incidents:
            row = rows[incident.id]
            assert row_exact(row)
            assert (from_rows.row_summary(incident.id, row)
                    == from_incidents.summary(incident)), (incident.id, now)


def test_a_time_past_2242_is_not_trusted_to_a_float() -> None:
    from warroom.site.siterows import SiteRow

    row = SiteRow(**{**dict.fromkeys(SiteRow._fields),  # type: ignore[arg-type]
                     "best": 1.7e9, "ended": None, "window": None})
    assert row_exact(row)
    assert not row_exact(row._replace(best=datetime(2300, 1, 1, tzinfo=UTC).timestamp()))
    assert not row_exact(row._replace(window=(1.7e9, 2.0 ** 34)))
