"""The complaint feature's blueprints: `public` (public_complaints: the form, tracking,
statistics) and `staff` (complaints: the work orders and categories)."""
