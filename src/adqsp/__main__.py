from adqsp.faces.cli import main

raise SystemExit(main())
