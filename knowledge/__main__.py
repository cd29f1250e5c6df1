"""``python -m knowledge ...`` runs the knowledge-base CLI (same as ``helpdesk kb``)."""

import sys

from knowledge.cli import main

sys.exit(main(sys.argv[1:]))
