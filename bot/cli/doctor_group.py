"""The doctor's look at the duty group (`bot.duty_chat_id`) through the Bot API: is the bot in it, what
kind of group is it, may the bot manage its topics.

Ticket cards sent to a group the bot is not in fail one by one, long after the set-up; asking Telegram
once (getChat, then getChatMember for the bot) names the problem before the first ticket. A forum group
(topics on), where every ticket gets a topic, needs the bot to be allowed to manage topics.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.cli.doctor_checks import DUTY_CHAT, Finding


async def check_duty_group(token: str, base_url: str, chat_id: int, timeout: float) -> Finding:
    """Only called with a working token and API (the connection check passed) and a duty chat set."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            chat = await _call(client, f"{base_url}{token}", "getChat", chat_id=chat_id)
            if not chat.get("ok"):
                description = chat.get("description") or "no description"
                return Finding(DUTY_CHAT, "fail", f"bot.duty_chat_id = {chat_id}: Telegram says “{description}”: "
                               "add the bot to the group (a supergroup's id starts with -100), or fix the id")
            info: dict[str, Any] = chat["result"]
            me = await _call(client, f"{base_url}{token}", "getMe")
            member = await _call(client, f"{base_url}{token}", "getChatMember", chat_id=chat_id,
                                 user_id=me.get("result", {}).get("id"))
    except (httpx.HTTPError, ValueError) as exc:
        return Finding(DUTY_CHAT, "warn", f"bot.duty_chat_id = {chat_id}: could not ask Telegram about it ({exc})")
    title = info.get("title") or info.get("username") or str(chat_id)
    kind = info.get("type")
    if kind not in ("group", "supergroup"):
        return Finding(DUTY_CHAT, "warn", f"bot.duty_chat_id = {chat_id} is a {kind} chat, not a group: "
                       "the staff will not see the cards together")
    rights = member.get("result", {}) if member.get("ok") else {}
    if not info.get("is_forum"):
        return Finding(DUTY_CHAT, "ok", f"“{title}” ({kind}, topics off): every ticket card goes there")
    if rights.get("status") == "creator" or rights.get("can_manage_topics"):
        return Finding(DUTY_CHAT, "ok", f"“{title}” (a forum, topics on; the bot may manage topics): every "
                       "ticket gets a topic there, named after it and closed with it")
    return Finding(DUTY_CHAT, "warn", f"“{title}” is a forum (topics on) but the bot may not manage topics: make "
                   "it an administrator with “Manage topics”, or no ticket's topic can be opened")


async def _call(client: httpx.AsyncClient, base: str, method: str, **params: object) -> dict[str, Any]:
    response = await client.post(f"{base}/{method}", json={k: v for k, v in params.items() if v is not None})
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"{method}: not a Bot API answer")
    return body
