"""The channel-free core of the help desk: tickets, the SLA clock, the report being filled in.

Nothing here imports Telegram or SQL; every decision about time takes the instant as an argument
(or a :class:`~bot.domain.clock.Clock`), so tests can move time forward without sleeping.
"""
