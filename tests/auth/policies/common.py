PUBLIC = "public"
STAFF = frozenset({"admin", "manager", "volunteer", "auditor"})
READERS = frozenset({"admin", "manager", "auditor"})
MANAGERS = frozenset({"admin", "manager"})
ADMIN = frozenset({"admin"})
WORKERS = STAFF - {"auditor"}
