"""Micro-wishes (微心愿): anonymised wishes of households, claimed by the public, fulfilled by intake."""
