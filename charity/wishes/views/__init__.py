"""The micro-wishes feature's screens, one module per blueprint: `wishes` (staff) and
`public_wishes` (the public list and claim form)."""
