"""`python -m ui.serve [streamlit options]`: start the dashboard server (what `make run` does).

Before anything listens:
- production checks: with NTB_MODE=production and a missing pseudonym key or active demo
  accounts, print one line per reason on stderr and exit 2. A server that cannot do its work
  must not start and answer `ok` on /_stcore/health (a process manager or load balancer would
  take it for healthy); the page still refuses too, for a server started another way;
- the upload guard (ui/uploads.py) is put into Streamlit's upload route;
- Streamlit's old pages-folder mode is switched off (see `pages_only_through_the_dashboard`).
Then Streamlit's own command line runs `dashboard.py` in this process.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from loaders.pseudonym import KEY_ENV, MissingKey, key, production_mode

ROOT = Path(__file__).resolve().parents[1]
REFUSED = 2  # exit status: production checks failed, nothing served


def key_from_secrets() -> None:
    """Secrets -> environment, so the pure layers never import Streamlit."""
    # Before the server exists, importing ui.auth (and ui.data's cached functions) makes Streamlit
    # warn per cached function that there is no runtime yet; the caches themselves are made later,
    # inside the runtime.
    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    no_runtime_yet = lambda record: "No runtime found" not in record.getMessage()  # noqa: E731
    cache_log.addFilter(no_runtime_yet)
    try:
        from ui.auth import secrets_facts

        secret_key = secrets_facts()[1]
    finally:
        cache_log.removeFilter(no_runtime_yet)
    if secret_key and not os.environ.get(KEY_ENV):
        os.environ[KEY_ENV] = secret_key


def production_problems(engine) -> list[str]:
    """Why production mode refuses to serve (empty outside production or when all is well)."""
    if not production_mode():
        return []
    from storage.users import demo_accounts_exist

    problems = []
    try:
        key()
    except MissingKey as exc:
        problems.append(str(exc))
    if demo_accounts_exist(engine):
        problems.append(
            "Demo accounts exist. Disable them (python -m ui.users disable NAME) before production."
        )
    return problems


def pages_only_through_the_dashboard() -> None:
    """Every page runs inside dashboard.py's st.navigation, behind its sign-in. Streamlit runs the
    first session of a fresh process in its old mode for apps with a `pages/` folder (until some
    script calls st.navigation): that session's /map ran pages/map.py with no sign-in at all, and a
    link such as /peringatan?alert=7 showed "Page not found" over the sign-in form."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def main(argv: list[str]) -> int:
    if production_mode():
        key_from_secrets()  # fills ui.auth's once-per-process secrets cache early; harmless
        from storage.engine import get_engine
        from storage.schema import upgrade

        engine = get_engine()
        upgrade(engine)  # as the app does on start; the demo-account check reads the accounts table
        if problems := production_problems(engine):
            for p in problems:
                print(f"NTB_MODE=production: refusing to start: {p}", file=sys.stderr)
            return REFUSED
    from ui import uploads, warm

    uploads.install()
    pages_only_through_the_dashboard()
    warm.start()  # the phase shortcuts' caches, filled in the background (ui/warm.py)
    from streamlit.web import cli

    return cli.main(
        ["run", str(ROOT / "dashboard.py"), *argv], prog_name="streamlit", standalone_mode=True
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
