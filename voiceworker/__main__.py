"""`python -m voiceworker [start|dev|console] [--agent-name NAME]`: the production entry point.

The same command as `manage.py runvoiceworker`, but with production settings by default
(manage.py keeps the local development settings).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], "runvoiceworker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
