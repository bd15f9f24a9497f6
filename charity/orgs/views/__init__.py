"""The organisations feature's screens: one module per blueprint (`orgs`: /admin)."""
