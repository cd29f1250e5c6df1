"""`[telegram]` of helpdesk.toml: Telegram's limits on what the bot sends.

Its own module because the configuration file's module is full; validated like every other section
(unknown keys refused, the key named). `bot/telegram/app.py` turns it into the rate limiter's
`bot.domain.pacing.Limits`. The defaults are Telegram's documented values
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TelegramSection(BaseModel):
    """What the rate limiter keeps under."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    overall_rate: float = Field(30.0, gt=0, le=1000)
    """Messages per second to all chats together."""
    group_rate: float = Field(20.0, gt=0, le=1000)
    """Messages per minute in one group (the staff group's cards and notices)."""
    private_rate: float = Field(1.0, gt=0, le=100)
    """Messages per second in one private chat, sustained (a short burst of three passes at once)."""
