from tests.auth.policies.common import PUBLIC

# The public transparency log (charity/log/views/api.py): read-only, for anyone.
POLICY = {f"log_api.{name}": PUBLIC
          for name in ("head", "key", "entries", "inclusion", "consistency")}
