"""Home delivery's screens, one module per blueprint: `deliveries` (orders and their
steps), `delivery_sheets` (packing list, route sheet, a volunteer's day on the phone),
`delivery_needs` (households' needs) and `public_deliveries` (the public figures)."""
