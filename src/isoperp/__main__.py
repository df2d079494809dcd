from isoperp.cli import main

raise SystemExit(main())
