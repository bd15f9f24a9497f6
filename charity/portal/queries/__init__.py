"""The read side of the public pages: `home`, `subjects` (campaigns and projects), `points`,
`disclosures`, and `figures` (the year's totals and monthly series they share)."""
