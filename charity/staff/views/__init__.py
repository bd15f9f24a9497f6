"""The staff area's screens: the `staff` blueprint (home page, audit log reader)."""
