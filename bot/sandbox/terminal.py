"""`helpdesk sandbox`: the real bot against an in-process stand-in of Telegram, in this terminal.

A newcomer without a bot token (or without internet) types as a reporter, switches to an engineer or
a manager persona, sees every message and button the bot sends, and presses a button by its number.
It is the very same Application as production; only the Bot API server is local.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config, load_config
from bot.domain.clock import SystemClock
from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage
from bot.telegram.lifecycle import UpdateTracker, running_bot
from storage import open_storage

HELP = """\
Type as the current persona; the bot answers below. Sandbox commands start with ':'
  :1, :2 …          press button number 1, 2 … of the bot's latest message to you
  :photo [caption]  send a photo          :contact  share your phone number
  :sticker          send a sticker        :as NAME  switch persona ({personas})
  :help             this help             :quit     leave (the sandbox database is kept)
"""
PHONE = "+86 138 0013 8000"


@dataclass
class _Button:
    label: str
    message: SentMessage | None  # None: a reply-keyboard button
    request_contact: bool = False


class Sandbox:
    def __init__(self, standin: BotApiStandIn, personas: dict[str, FakeUser], out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
        self.standin = standin
        self.personas = personas
        self.current = next(iter(personas))
        self.out = out
        self.buttons: dict[int, list[_Button]] = {}
        standin.on_message = self.show

    @property
    def user(self) -> FakeUser:
        return self.personas[self.current]

    def show(self, message: SentMessage) -> None:
        """Print what the bot sent (or edited), numbering the buttons for `:N`."""
        who = next((name for name, u in self.personas.items() if u.id == message.chat_id), str(message.chat_id))
        if message.edits and "\n→ " in message.shown_text:  # a question answered by a button
            print(f"   ✓ {message.shown_text.rsplit(chr(10) + '→ ', 1)[1]}", file=self.out)
            return
        print(f"\n🤖 → {who}:", file=self.out)
        if isinstance(message.photo, bytes):  # a terminal cannot show it: say what it is
            print(f"   🖼 a picture ({len(message.photo) / 1024:.0f} KiB)", file=self.out)
        if message.document is not None:
            print(f"   📎 {message.document_name} ({len(message.document) / 1024:.0f} KiB)", file=self.out)
        for line in message.shown_text.splitlines() or ([] if message.photo or message.document else [""]):
            print(f"   {line}", file=self.out)
        choices: list[_Button] = []
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard") or []:
            choices += [_Button(b["text"], message) for b in row if "callback_data" in b]
        for row in markup.get("keyboard") or []:
            for b in row:
                label = b if isinstance(b, str) else b.get("text", "")
                contact = not isinstance(b, str) and bool(b.get("request_contact"))
                choices.append(_Button(label, None, contact))
        if choices:
            self.buttons[message.chat_id] = choices
            print("   " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(choices, 1)), file=self.out)
        elif not message.edits:
            self.buttons.pop(message.chat_id, None)
        self.out.flush()

    def handle(self, line: str) -> int | bool:
        """One line typed at the terminal: the update id it sent, True to go on, False to leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith(":"):
            return self.standin.send_text(self.user, line)
        command, _, rest = line[1:].partition(" ")
        if command.isdigit():
            return self.press(int(command))
        if command == "photo":
            return self.standin.send_photo(self.user, caption=rest or None)
        if command == "contact":
            return self.standin.send_contact(self.user, PHONE)
        if command == "sticker":
            return self.standin.send_sticker(self.user)
        if command == "as" and rest in self.personas:
            self.current = rest
            print(f"(you are now {rest}: {self.user.first_name}, id {self.user.id})", file=self.out)
        elif command in ("quit", "q", "exit"):
            return False
        else:
            print(HELP.format(personas=", ".join(self.personas)), file=self.out)
        return True

    def press(self, number: int) -> int | bool:
        choices = self.buttons.get(self.user.id, [])
        if not 1 <= number <= len(choices):
            print(f"(no button {number} on the latest message to {self.current})", file=self.out)
            return True
        button = choices[number - 1]
        if button.message is not None:
            return self.standin.press(self.user, button.message, button.label)
        if button.request_contact:
            return self.standin.send_contact(self.user, PHONE)
        return self.standin.send_text(self.user, button.label)


def personas(config: Config) -> dict[str, FakeUser]:
    """A Chinese- and an English-speaking reporter, plus the first configured engineer and manager."""
    engineer = config.engineers[0] if config.engineers else None
    manager = config.managers[0] if config.managers else None
    return {
        "reporter": FakeUser(id=700001, first_name="李娜", language_code="zh-hans"),
        "reporter-en": FakeUser(id=700002, first_name="Alex", language_code="en"),
        "engineer": FakeUser(id=engineer.id if engineer else 1001,
                             first_name=engineer.name if engineer else "Engineer", language_code="zh"),
        "manager": FakeUser(id=manager.id if manager else 9001,
                            first_name=manager.name if manager else "Manager", language_code="en"),
    }


EXAMPLE = Path(__file__).resolve().parents[2] / "helpdesk.example.toml"


def with_staff(config: Config) -> tuple[Config, str | None]:
    """Without engineers configured, the engineer and manager personas would have nothing to do (no card
    to accept, reports refused): the sandbox then runs on helpdesk.example.toml, and says so."""
    if config.engineers or not EXAMPLE.is_file():
        return config, None
    return load_config(EXAMPLE), (f"(No engineers are configured, so the sandbox uses {EXAMPLE.name}: "
                                  "its engineers, manager, rotations and settings.)")


async def run_sandbox(config: Config, db_path: Path) -> int:
    logging.getLogger().setLevel(logging.WARNING)  # the chat is the output; logs would drown it
    config, note = with_staff(config)
    if note:
        print(note)
    clock = SystemClock()
    storage = await open_storage(db_path)
    try:
        async with storage.transaction() as tx:  # a restarted sandbox goes on with the same sequence of ids
            seen = await tx.updates.highest()
        async with BotApiStandIn() as standin, running_bot(
            token=standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url,
            config=config, storage=storage, clock=clock, poll_timeout=1, rate_limit=False,
        ) as bot:
            standin.continue_after(seen)
            tracker = UpdateTracker()
            tracker.attach(bot.app)
            sandbox = Sandbox(standin, personas(config))
            standin.introduce(*sandbox.personas.values())  # staff have opened the bot before
            print(HELP.format(personas=", ".join(sandbox.personas)))
            print(f"You are '{sandbox.current}' ({sandbox.user.first_name}). Try: 打印机卡纸了  or  /new")
            while True:
                try:
                    line = await asyncio.to_thread(input, f"{sandbox.current}> ")
                except EOFError:
                    break
                sent = sandbox.handle(line)
                if sent is False:
                    break
                if sent is not True:  # an update went to the bot: show its answers before the next prompt
                    await tracker.wait(sent, timeout=10)
    finally:
        await storage.close()
    return 0
