"""Provider webhooks. For now a placeholder receiver at each account's `webhook_url`
(`connect.links.webhook_url`): it answers 404 `webhooks_not_enabled` until the verified
receivers exist."""
