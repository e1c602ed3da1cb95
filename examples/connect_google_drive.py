"""Connect a Google Drive account through the browser, then list the key's connections.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/connect_google_drive.py

Opens the consent page in your browser (or prints its URL) and waits for Google to send the
browser back to a one-shot server on 127.0.0.1. The emulator's consent page approves at once.
"""

from aionvision_cloud import Client
from aionvision_cloud.errors import OAuthError

with Client.from_env() as client:
    cs = client.cloud_storage
    try:
        connection = cs.connect("google_drive", timeout=300)
    except OAuthError as exc:
        raise SystemExit(f"Could not connect: {exc}") from None
    print(f"Connected {connection.provider_email or connection.id} (new: {connection.is_new})")

    for conn in cs.list_connections("google_drive"):
        print(f"- {conn.id}  {conn.provider_email}  last used {conn.last_used_at or 'never'}")
