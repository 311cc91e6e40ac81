"""The `gongzhi` command: one entry point for operators.

gongzhi serve [--host H] [--port P]   migrate, load the demo county if empty, serve
gongzhi demo --size tiny|small|county|large --seed N
gongzhi import KIND FILE [--dry-run]  gongzhi export KIND FILE
gongzhi audit verify                  gongzhi migrate / createsuperuser / any manage.py command
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    aliases = {"import": "ledger_import", "export": "ledger_export", "audit": "audit"}
    if args and args[0] in aliases:
        args[0] = aliases[args[0]]
    execute_from_command_line(["gongzhi", *args])


if __name__ == "__main__":
    main()
