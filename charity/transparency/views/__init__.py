"""The transparency feature's blueprint (`scores`: the staff view and the public pages)."""
