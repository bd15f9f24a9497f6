"""The open data API's building blocks: `resources` (which rows are public, their filters and
the statistics), `serialise` (their JSON), `openapi` (the contract) and `atom` (the feed of
publications). The blueprint is `charity.portal.views.api`."""
