"""Connect a Google Drive account through the browser, then list the key's connections.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/connect_google_drive.py

Opens the consent page in your browser (or prints its URL) and waits for Google to send the
browser back to a one-shot server on 127.0.0.1. `make emulator` shows a consent page to click
(Allow), as Google does; `make emulator ARGS="--consent auto"` approves at once, with no page.
"""

import sys

from aionvision_cloud import AionvisionError, Client

try:
    with Client.from_env() as client:
        cs = client.cloud_storage
        connection = cs.connect("google_drive", timeout=300)
        print(f"Connected {connection.provider_email or connection.id} (new: {connection.is_new})")
        for conn in cs.list_connections("google_drive"):
            print(f"- {conn.id}  {conn.provider_email}  last used {conn.last_used_at or 'never'}")
except AionvisionError as exc:  # denied, timed out, no key...
    sys.exit(f"Could not connect: {exc}")
except KeyboardInterrupt:
    sys.exit("\nstopped before the browser came back; nothing was connected")
