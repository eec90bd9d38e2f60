from academichub.cli import main

raise SystemExit(main())
