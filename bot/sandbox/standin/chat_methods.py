"""The Bot API's methods besides messages and files: getMe, webhooks, the command menu, the menu button,
chat actions and answers to button presses.
"""

from __future__ import annotations

import json
import logging

from bot.sandbox.standin.protocol import BOT_COMMAND_NAME_RE, bad, truthy

log = logging.getLogger(__name__)


class ChatMethods:
    """Mixed into BotApiStandIn."""

    # ---------------------------------------------------------------- simple methods

    def _true(self, p: dict, files: dict) -> bool:
        return True

    def _get_me(self, p: dict, files: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, p: dict, files: dict) -> bool:
        if truthy(p.get("drop_pending_updates")):
            self._pending.clear()
            self._notify()
        return True

    def _set_webhook(self, p: dict, files: dict) -> bool:
        raise bad(
            "setWebhook is not supported by the Bot API stand-in; it only serves getUpdates "
            "long polling (use Updater.start_polling)"
        )

    def _get_webhook_info(self, p: dict, files: dict) -> dict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    @staticmethod
    def _commands_key(p: dict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    def _scope(self, p: dict) -> dict:
        """The requested scope; one of a chat Telegram does not know is refused (400 chat not found)."""
        scope = p.get("scope") or {"type": "default"}
        if isinstance(scope, dict) and "chat_id" in scope:
            scope = {**scope, "chat_id": self._chat({"chat_id": scope["chat_id"]})["id"]}
        return scope

    def menu(self, chat_id: int | None = None, language_code: str = "") -> list[str] | None:
        """The command names set for a chat's scope (None: the default scope) and language, None if unset."""
        scope = {"type": "chat", "chat_id": chat_id} if chat_id is not None else {"type": "default"}
        key = (json.dumps(scope, sort_keys=True), language_code)
        found = [e for e in self.commands if (json.dumps(e["scope"], sort_keys=True), e["language_code"]) == key]
        return [c["command"] for c in found[0]["commands"]] if found else None

    def _set_my_commands(self, p: dict, files: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands")
        for cmd in commands:
            if not isinstance(cmd, dict) or not BOT_COMMAND_NAME_RE.match(str(cmd.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = self._scope(p)
        key = self._commands_key({**p, "scope": scope})
        self.commands = [c for c in self.commands if self._commands_key(c) != key]
        self.commands.append(
            {
                "commands": commands,
                "scope": scope,
                "language_code": p.get("language_code") or "",
            }
        )
        return True

    def _get_my_commands(self, p: dict, files: dict) -> list[dict]:
        key = self._commands_key(p)
        for entry in self.commands:
            if self._commands_key(entry) == key:
                return entry["commands"]
        return []

    def _delete_my_commands(self, p: dict, files: dict) -> bool:
        key = self._commands_key({**p, "scope": self._scope(p)})
        self.commands = [c for c in self.commands if self._commands_key(c) != key]
        return True

    def _set_chat_menu_button(self, p: dict, files: dict) -> bool:
        chat_id = p.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(p)["id"]
        self.menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, p: dict, files: dict) -> dict:
        chat_id = p.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(p)["id"]
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    def _send_chat_action(self, p: dict, files: dict) -> bool:
        self._chat(p)
        if not p.get("action"):
            raise bad("wrong parameter action in request")
        return True

    def _answer_callback_query(self, p: dict, files: dict) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": truthy(p.get("show_alert")),
        }
        for key in ("url", "cache_time"):
            if key in p:
                answer[key] = p[key]
        self.callback_answers.append(answer)
        if self.on_answer is not None:
            try:
                self.on_answer(answer)
            except Exception:  # a printing hook must not turn the bot's answer into an error
                log.exception("BotApiStandIn.on_answer hook failed")
        self._notify()
        self._notify_chat(self._callback_chats.pop(query_id, None))
        return True
