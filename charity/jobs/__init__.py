"""Background work: the scheduler process and its jobs (they call services)."""
