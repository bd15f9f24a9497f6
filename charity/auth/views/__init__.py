"""The accounts feature's screens, one module per blueprint: `auth` (signing in and out,
one's own account, the language switch) and `users` (the admin list of accounts)."""
