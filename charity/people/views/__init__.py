"""The people feature's screens, one module per blueprint: `donors`, `beneficiaries`
(households) and `volunteers` (profiles, the sign-in board, hours, participation)."""
