"""Forms of the people screens, one module per kind of person: donors, households,
volunteers (profiles and the sign-in board)."""
