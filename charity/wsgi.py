"""The app servers' entry point: `gunicorn charity.wsgi:app`.

Built with a warm start (charity/web/warm.py): each worker pays the mapper configuration,
catalogues and template compiling before it accepts its first request (set
CHARITY_WARM_START=0 to start without it), then settles the garbage collector
(`warm.settle_memory`) so that a full collection over everything start-up built does not
land in a request.
"""
import os

from charity import create_app
from charity.web.warm import settle_memory

app = create_app({"WARM_START": os.environ.get("CHARITY_WARM_START", "1").strip().lower()
                  not in {"0", "false", "no", "off"}})
settle_memory()
