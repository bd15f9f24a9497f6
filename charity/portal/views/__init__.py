"""The public portal's blueprints, one module each: `home` (portal), `campaigns`
(public_campaigns), `points` (public_points), `disclosures`, `trace`, `dropoff` and `api`
(the open data API, its CSV downloads, the Atom feed and the OpenAPI document)."""
