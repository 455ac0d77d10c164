from qa_sim.cli import main

raise SystemExit(main())
