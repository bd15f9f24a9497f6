"""`charity monitor URL --state FILE [--witness FILE]`: check a transparency log from the
outside, as anyone can (the same code as the single-file tools/monitor.py, which needs only
the standard library and `cryptography`).

It needs no app, no database and no configuration: it only speaks HTTP to URL.
"""
from __future__ import annotations

import click

from charity.log import standalone_monitor


@click.command("monitor")
@click.argument("url")
@click.option("--state", "state_path", required=True, type=click.Path(dir_okay=False),
              help="JSON file remembering the key, the last verified head and the entries.")
@click.option("--witness", "witness_path", type=click.Path(dir_okay=False),
              help="Append each newly verified head to this file (one JSON line each).")
@click.option("--key-id", help="The key id you expect: at the first run, or an announced new key.")
@click.option("--new-pdfs-only", is_flag=True,
              help="Rehash only the PDFs of entries new since the last run.")
def monitor_command(url, state_path, witness_path, key_id, new_pdfs_only):
    """Verify a log: key, signed head, consistency with the last head seen, every new entry's
    inclusion and PDF. Exit 1 names the first inconsistency; exit 2 means not checked."""
    status = standalone_monitor.run(url, state_path, witness_path, key_id, new_pdfs_only,
                                    say=click.echo)
    click.get_current_context().exit(status)
