"""The exit codes of `helpdesk`, one place for every command."""

EXIT_REFUSED = 1
"""An input was refused as a whole (an import with a bad line): nothing was changed."""
EXIT_BAD_SETTING = 2
"""A setting, an argument or a file cannot be used."""
EXIT_TOKEN_REFUSED = 3
"""Telegram refused the bot (its token): a person must act; a supervisor may restart and report it."""
