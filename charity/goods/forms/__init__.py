"""The goods forms, one module per screen family; `lines` holds what forms with lines share
(keeping posted line numbers, putting a service's refusal next to the right line)."""
