"""The Textual app. Imported only to launch it: nothing else in qa_sim imports textual."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa_sim.academy import Academy
    from qa_sim.tui.app import QaSimApp


def make_app(academy: Academy, **options: Any) -> QaSimApp:
    from qa_sim.tui.app import QaSimApp

    return QaSimApp(academy, **options)


def launch(ctx: Any) -> int:
    """`qa-sim` with no command: the app on the content folders and the database."""
    from qa_sim.academy import Academy
    from qa_sim.paths import config_file

    academy = Academy(lambda: ctx.library, getattr(ctx.args, "db", None))
    app = make_app(academy, settings=ctx.settings, settings_path=config_file())
    result = app.run()
    return int(result or 0)
