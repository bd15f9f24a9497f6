"""Importing spreadsheets (issue 20 §1): donors, households, catalogue items, opening stock
and volunteers, from the XLSX a supermarket already keeps (or the template, or our own
export). All or nothing; natural keys make a second import add nothing. See
docs/decisions/0023-spreadsheet-import.md."""
