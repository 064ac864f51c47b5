"""`python -m causerie`."""

from causerie.cli import main

raise SystemExit(main())
