"""The only module that runs git. Everything else receives plain data from here."""

from __future__ import annotations

# --- reading history (issue 3) ---

# --- writing: branches and commits for `warroom new/update/resolve --git` (issue 5) ---

# --- writing: replaying an imported history (issue 7) ---
