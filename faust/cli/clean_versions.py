"""``faust clean-versions``: delete the data directories of old app versions.

The ``version`` setting names the directory of the app's state
(``{datadir}/v{version}``); raising it (to start from empty tables) leaves
the old ``v1``, ``v2``... directories behind.  This removes them.
"""

from __future__ import annotations

from shutil import rmtree

from .base import AppCommand

__all__ = ["clean_versions"]


class clean_versions(AppCommand):
    """Delete old version directories.

    Warning:
        This command will result in the destruction of the following files:

            1) Table data for previous versions of the app.
    """

    async def run(self) -> None:
        """Remove every ``{datadir}/v{n}`` directory with ``n < version``."""
        removed = self.remove_old_versiondirs()
        if self.json:
            self.say(self.dumps([str(path) for path in removed]))
        elif not removed:
            self.say("No old version directories.")

    def remove_old_versiondirs(self) -> list[str]:
        """Remove data from old application versions; return their paths."""
        removed = []
        for path in self.app.conf.find_old_versiondirs():
            if not self.json:
                self.say(f"Removing old version directory {path}...")
            rmtree(str(path))
            removed.append(str(path))
        return removed
