"""Read side of micro-wishes: `staff` (the staff list and what its forms offer) and
`public` (what the public may read: public columns only)."""
