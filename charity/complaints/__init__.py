"""Complaints and reports (投诉举报): public intake with a tracking number, staff work orders.

`rules` (steps, deadlines, tracking numbers), `models`, `services` (submit, record, the
steps), `categories` (configuring them), `queries` (who sees what, lists, lookups), `stats`
(public monthly figures), `timeline`, `formstamp`, `attachments`, `forms` and `views/`."""
