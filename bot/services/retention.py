"""Forgetting on a schedule: delivered messages, handled update ids and quarantined updates.

The outbox keeps every message the bot sent until it is delivered; afterwards it is only history,
and it holds phone numbers and descriptions of people's problems. Tickets, their logs and the KPIs
built on them are the record and are not touched. The scheduler prunes once a day what is older than
`[retention] days` (30 by default), and once after every start, so a bot restarted daily still prunes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services.deployment import Deployment
from storage.ports import Housekeeping

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(days=1)


class Retention:
    def __init__(self, deployment: Deployment, housekeeping: Housekeeping) -> None:
        self.deployment = deployment
        self.housekeeping = housekeeping

    @property
    def kept(self) -> timedelta:
        return timedelta(days=self.deployment.config.retention.days)

    async def prune(self, now: datetime) -> dict[str, int]:
        """Forget what is older than the retention period; returns how many of each kind."""
        pruned = await self.housekeeping.prune(now - self.kept)
        if any(pruned.values()):
            log.info("retention: forgot %s older than %s days", pruned, self.kept.days)
        return pruned
