"""`python -m bot.cli …` is the `helpdesk` command (the soak and load benchmarks start the bot this way)."""

import sys

from bot.cli import main

sys.exit(main())
