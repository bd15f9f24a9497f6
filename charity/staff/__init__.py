"""The staff area's entrance: the home page after signing in, and the audit log reader."""
