"""People an organisation works with: donors, beneficiary households, volunteers and their
shifts. Rooms: models, services (donors) / beneficiaries / volunteers (the write side),
identity (ID numbers), queries/, forms/, views/ (one module per blueprint)."""
