"""Accounts and who may do what: models, permissions, services (accounts, signing in),
throttle and totp (sign-in protection), edits (the audited-change helpers every service
uses), signin (Flask-Login wiring), queries, forms, views/."""
