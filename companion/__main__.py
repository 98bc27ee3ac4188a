"""`python -m companion`: the same command as `companion` (--role, --web, --port, --host)."""

from companion.cli import main

raise SystemExit(main())
