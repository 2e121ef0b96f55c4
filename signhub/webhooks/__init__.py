"""Provider webhooks: the generic receiver at each account's `webhook_url`
(`connect.links.webhook_url`), the replay guard, and the refreshes events queue on the
task worker. Verification belongs to each connector (`signhub/connectors/<p>/webhooks.py`)."""
