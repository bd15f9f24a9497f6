"""The public portal (no sign-in): home, campaigns and projects, charity points, disclosures,
the donation trace, drop-off pre-registration and the open data API.

`views/` holds the blueprints, `queries/` what the pages read, `open_data/` what the API
publishes and how, `trace/` the first-in-first-out donation trace."""
