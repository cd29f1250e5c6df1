"""The service layer: what the adapters (chat, CLI, scheduler, report worker) call; no Telegram."""
