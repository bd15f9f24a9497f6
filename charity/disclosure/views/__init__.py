"""The disclosure feature's blueprints, one module each (`compliance`: the staff dashboard)."""
