"""`helpdesk sandbox`: the real bot against an in-process stand-in of Telegram, in this terminal.

A newcomer without a bot token (or without internet) types as a reporter, switches to any engineer or
manager, sees every message, button, toast and file the bot sends, presses a button by its number and
moves the bot's clock ahead to see what falls due. It is the very same Application as production; only
the Bot API server is local. This module is what one typed line does; `bot.sandbox.session` starts it.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urlencode

from bot.dashboard.initdata import sign
from bot.sandbox.people import resolve
from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage
from bot.sandbox.standin.markup import u16
from bot.sandbox.standin.protocol import MAX_TEXT_LENGTH
from bot.sandbox.travel import ClockFile, TravelClock, parse_duration, parse_local, shown
from bot.telegram.lifecycle import RunningBot, UpdateTracker

HELP = """\
Type as the current persona; the bot answers below. Sandbox commands start with ':'
  :1, :2 …          press button number 1, 2 … of the bot's latest message to you
  :photo [caption]  send a photo          :contact  share your phone number
  :sticker          send a sticker
  :as WHO           play someone else: engineer 2, manager, reporter 3, or a name (:as Liu)
                    ({personas})
  :dashboard        a link that opens the live board in a browser, signed in as the current persona
  :wait 72h         move the bot's clock ahead (25m, 2d, 1d 12h) and show what fell due
  :at 2026-12-24 09:00   the same, to a local time ({tz})
  line ending in \\  goes on on the next line;  :paste  sends the lines up to one holding only '.'
  :help             this help             :quit     leave (the sandbox database is kept)
"""
PHONE = "+86 138 0013 8000"
UNSAFE = re.compile(r"[^\w.\-]+")


FOLD = "\n\n✔ "
"""Where an edited message states the answer to its question, above the next one (bot.messages.Continues)."""


@dataclass
class _Button:
    label: str
    message: SentMessage | None  # None: a reply-keyboard button
    request_contact: bool = False
    web_app: bool = False
    """Opens the dashboard (a Mini App): pressed, the sandbox prints the link a browser opens."""


@dataclass
class Machinery:
    """What the running sandbox adds to the chat itself: the bot to tick, the clock to move, where files go."""

    bot: RunningBot
    tracker: UpdateTracker
    clock: TravelClock
    clock_file: ClockFile
    tz: tzinfo
    files: Path


class Sandbox:
    def __init__(self, standin: BotApiStandIn, personas: dict[str, FakeUser], out: TextIO = sys.stdout,
                 machinery: Machinery | None = None) -> None:
        self.standin = standin
        self.personas = personas
        self.current = next(iter(personas))
        self.out = out
        self.machinery = machinery
        self.buttons: dict[int, list[_Button]] = {}
        self.shown = 0
        """How many messages have been printed (a tick that printed none says so)."""
        self.quiet = False
        """While staff open the bot at the first start: their welcomes are not the newcomer's chat."""
        standin.on_message = self.show
        standin.on_answer = self.toast

    @property
    def user(self) -> FakeUser:
        return self.personas[self.current]

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def help(self) -> str:
        tz = self.machinery.tz if self.machinery else "the deployment's time zone"
        return HELP.format(personas=", ".join(self.personas), tz=tz)

    # ---------------------------------------------------------------- what the bot sent

    def show(self, message: SentMessage) -> None:
        """Print what the bot sent (or edited), numbering the buttons for `:N`."""
        answered = message.edits and "\n→ " in message.shown_text  # a question answered by a button
        folded = bool(message.edits) and FOLD in message.shown_text  # answered, and the next question in it
        choices = [] if answered and not folded else self._buttons(message)
        if choices:
            self.buttons[message.chat_id] = choices
        elif not message.edits:
            self.buttons.pop(message.chat_id, None)
        if self.quiet:
            return
        self.shown += 1
        text = message.shown_text
        if folded:  # show the answer, then only what follows it (the question above is on screen already)
            answer, _, text = text.rsplit(FOLD, 1)[1].partition("\n\n")
            self.say(f"   ✓ {answer.split(': ', 1)[-1].split('：', 1)[-1]}")
        elif answered:
            self.say(f"   ✓ {text.rsplit(chr(10) + '→ ', 1)[1]}")
            return
        who = next((name for name, u in self.personas.items() if u.id == message.chat_id), str(message.chat_id))
        print(f"\n🤖 → {who}:", file=self.out)
        if not message.edits:
            self._attachments(message)
        for line in text.splitlines() or ([] if message.photo or message.document else [""]):
            print(f"   {line}", file=self.out)
        if choices:
            print("   " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(choices, 1)), file=self.out)
        self.out.flush()

    @staticmethod
    def _buttons(message: SentMessage) -> list[_Button]:
        choices: list[_Button] = []
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard") or []:
            choices += [_Button(b["text"], message, web_app="web_app" in b) for b in row
                        if "callback_data" in b or "web_app" in b]
        for row in markup.get("keyboard") or []:
            for b in row:
                label = b if isinstance(b, str) else b.get("text", "")
                contact = not isinstance(b, str) and bool(b.get("request_contact"))
                choices.append(_Button(label, None, contact))
        return choices

    def _attachments(self, message: SentMessage) -> None:
        """A terminal cannot show a picture or a file: it is saved, and the path printed to open it."""
        if isinstance(message.photo, bytes):
            self.say(f"   🖼 {self._save(message.photo, message.photo_name or 'picture.png')}")
        if message.document is not None:
            self.say(f"   📎 {self._save(message.document, message.document_name or 'file')}")

    def _save(self, content: bytes, name: str) -> str:
        size = f"({len(content) / 1024:.0f} KiB)"
        if self.machinery is None:
            return f"{name} {size}"
        folder = self.machinery.files
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[:4]) for p in folder.iterdir() if p.name[:4].isdigit()]
        path = folder / f"{max(numbers, default=0) + 1:04d}-{UNSAFE.sub('_', name).strip('._') or 'file'}"
        path.write_bytes(content)
        return f"saved {readable(path)} {size}"

    def toast(self, answer: dict) -> None:
        """A button's answer: a passing notice (💬) or an alert the user must dismiss (⚠)."""
        if answer.get("text") and not self.quiet:
            self.say(f"   {'⚠' if answer.get('show_alert') else '💬'} {answer['text']}")

    # ---------------------------------------------------------------- what the user typed

    async def type(self, text: str) -> bool:
        """One message or command typed at the terminal, its answers printed; False to leave."""
        if "\n" not in text and text.strip().startswith(":"):
            command, _, rest = text.strip()[1:].partition(" ")
            if command in ("wait", "at"):
                await self.travel(command, rest.strip())
                return True
        elif u16(text) > MAX_TEXT_LENGTH:  # Telegram refuses it (counting as it does): so does the sandbox
            self.say(f"⚠ not sent: {u16(text)} characters, and Telegram takes at most {MAX_TEXT_LENGTH} in one "
                     "message")
            return True
        sent = self.handle(text)
        if sent is False:
            return False
        if sent is not True and self.machinery is not None:  # an update went to the bot: its answers first
            try:
                await self.machinery.tracker.wait(sent, timeout=15)
            except TimeoutError:  # a slow report, a loaded machine: not a reason to end the sandbox
                self.say("(the bot is still busy with that; its answers will show when they come)")
        return True

    def handle(self, line: str) -> int | bool:
        """One line typed at the terminal: the update id it sent, True to go on, False to leave."""
        if "\n" in line:  # several lines: one message, as Telegram sends it
            return self.standin.send_text(self.user, line.strip("\n"))
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
        if command == "dashboard":
            self.say(self.dashboard_link())
            return True
        if command == "as":
            name, why = resolve(self.personas, rest)
            if name is None:
                self.say(f"({why})")
            else:
                self.current = name
                self.say(f"(you are now {name}: {self.user.first_name}, id {self.user.id})")
        elif command in ("quit", "q", "exit"):
            return False
        else:
            self.say(self.help())
        return True

    def press(self, number: int) -> int | bool:
        choices = self.buttons.get(self.user.id, [])
        if not 1 <= number <= len(choices):
            self.say(f"(no button {number} on the latest message to {self.current})")
            return True
        button = choices[number - 1]
        if button.web_app:
            self.say(self.dashboard_link())
            return True
        if button.message is not None:
            return self.standin.press(self.user, button.message, button.label)
        if button.request_contact:
            return self.standin.send_contact(self.user, PHONE)
        return self.standin.send_text(self.user, button.label)

    def dashboard_link(self) -> str:
        """What Telegram would open for the current persona: the page, with initData signed by the bot's
        token in its fragment (a browser on this machine opens it; staff only, as in Telegram)."""
        m = self.machinery
        board = m.bot.dashboard if m is not None else None
        if m is None or board is None:
            return "(the live board needs the running sandbox)"
        user = self.user
        fields = {"auth_date": str(int(m.clock.now().timestamp())),
                  "user": json.dumps({"id": user.id, "first_name": user.first_name,
                                      "language_code": user.language_code or ""}, ensure_ascii=False)}
        data = urlencode({**fields, "hash": sign(fields, self.standin.token)})
        return (f"🌐 the live board for {self.current} (valid {board.section.max_age}):\n"
                f"   http://127.0.0.1:{board.port}/#tgWebAppData={quote(data, safe='')}")

    # ---------------------------------------------------------------- time travel

    async def travel(self, command: str, rest: str) -> None:
        """`:wait 72h` / `:at 2026-12-24 09:00`: move the clock, then fire and show what fell due."""
        m = self.machinery
        if m is None:
            self.say("(time travel needs the running sandbox)")
            return
        now = m.clock.now()
        try:
            if command == "wait":
                delta = parse_duration(rest)
            else:
                target = parse_local(rest, m.tz)
                if target <= now:
                    raise ValueError(f"{shown(target, m.tz)} is not after now, {shown(now, m.tz)}: "
                                     "the sandbox's time only goes forward")
                delta = target - now
        except ValueError as exc:
            self.say(f"⚠ {exc}")
            return
        reached = m.clock.advance(delta)
        m.clock_file.save(m.clock.offset)
        self.say(f"⏩ now {shown(reached, m.tz)}")
        before = self.shown
        helpdesk = m.bot.app.bot_data["helpdesk"]
        fired = await helpdesk.scheduler.tick()  # at once, not at the next periodic tick
        if helpdesk.courier is not None:
            await helpdesk.courier.flush()
        if self.shown == before:
            self.say(f"   ({fired} timer(s) fired; nothing was sent)" if fired else "   (nothing fell due)")


def readable(path: Path) -> str:
    """The path relative to the working directory when it is below it (short enough to type), else whole."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

