"""The box screens, one module per blueprint: `boxes` (list, box page, steps), `labels`."""
