"""Conversations by audience (reporter, engineer, manager, follow-up, knowledge base): replies as data, no Telegram."""
