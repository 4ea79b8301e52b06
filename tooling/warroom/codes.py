"""Every problem code warroom can report, with what it means and how to fix it.

The single source of truth: docs/codes.md is generated from it (`warroom codes --markdown`)
and tests check that the two agree, that every code here is used, and that every problem
raised under test has a code listed here.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # --- reading YAML (yamlload) ---
    "unreadable": "The file could not be read (permissions, a folder, a broken link).",
    "file-too-large": "The file is over 1 MiB. Incident files are small; split or trim it.",
    "binary-file": "The file contains NUL bytes, so it is not text. Check what was committed.",
    "wrong-encoding": "The file is UTF-16. Save it as UTF-8.",
    "invalid-utf8": "A byte is not valid UTF-8. Save the file as UTF-8.",
    "byte-order-mark": "The file starts with a UTF-8 byte order mark. Save it without one "
                       "(most editors call this 'UTF-8' rather than 'UTF-8 with BOM').",
    "yaml-syntax": "The YAML cannot be parsed. The message says what the parser expected.",
    "multiple-documents": "The file holds several YAML documents (---). Keep one per file.",
    "empty-file": "The file is empty. Write the incident, or delete the file.",
    "not-a-mapping": "The top level must be a mapping of fields (id:, title:, ...), not a list "
                     "or a single value.",
    "duplicate-key": "A key appears twice in one mapping. PyYAML would silently keep the last "
                     "one and lose the first; remove one of them.",
    "unsafe-tag": "A YAML tag such as !!python/object is not allowed. Write plain values.",
    "merge-key": "Merge keys (<<) are not supported. Write the keys out.",
    "complex-key": "A mapping key is a list or a mapping. Keys must be plain text.",
    "alias-bomb": "Anchors and aliases expand to too many values (a 'billion laughs' file). "
                  "Write the values out.",
    "too-deep": "The document nests deeper than 64 levels.",
    "recursive-alias": "An anchor contains an alias to itself, so its value never ends. "
                       "Write the value out.",
    "bad-scalar": "A value with an explicit tag (!!int, !!float, !!bool) cannot be read as "
                  "that type. Fix the value or remove the tag.",
    # --- schema (schemas) ---
    "missing-field": "A required field is missing. Add it.",
    "unknown-field": "A field is not part of the schema, often a typo. The message suggests "
                     "the closest known field.",
    "wrong-type": "A value has the wrong type (text where a list is expected, ...).",
    "not-allowed-value": "A value is not one of the allowed choices; the message lists them.",
    "bad-format": "A value does not have the expected form (an id, a handle like @alice, a "
                  "date, a URL, a duration like 4h).",
    "naive-time": "A time has no offset, so it is ambiguous. Add one: Z for UTC or +01:00.",
    "bad-time": "A time is not RFC 3339. Write it like 2026-11-20T09:02:00+01:00.",
    "out-of-range": "A number, a text or a list is too small or too large.",
    "schema": "Any other schema violation; the message is the schema validator's.",
    # --- incident rules (rules) ---
    "id-mismatch": "The id differs from the file name. Rename the file or change the id.",
    "wrong-year-folder": "The incident sits in a year folder that does not match its id.",
    "duplicate-id": "Two files share one id (file stem). Ids must be unique in the repository.",
    "unknown-component": "A component is not declared in warroom.yaml.",
    "duplicate-component": "A component is listed twice in one incident.",
    "unknown-severity": "A severity is not declared in warroom.yaml.",
    "unknown-cause": "A cause tag is not in the causes vocabulary of warroom.yaml.",
    "times-out-of-order": "Stated times must follow impact started, detected, mitigated, "
                          "resolved.",
    "update-out-of-order": "An update's stated time is before the update above it; updates "
                           "are appended oldest first.",
    "status-for-type": "Maintenance statuses (scheduled, in_progress, completed) are for "
                       "type: maintenance only, and incident statuses for incidents only.",
    "bad-transition": "An update moves the status in a way that is not allowed (for example "
                      "out of resolved). Declare a new incident and link it with related.",
    "status-mismatch": "The top-level status differs from the latest update. Change both "
                       "together.",
    "missing-resolving-update": "The incident is resolved, completed or canceled but no "
                                "update says so. Add one with a message for readers.",
    "no-public-update": "A public incident has only internal updates, so the status page "
                        "has nothing to say.",
    "missing-window": "Scheduled maintenance needs window: {start, end}.",
    "window-not-maintenance": "Only type: maintenance has a window.",
    "window-order": "The maintenance window ends before it starts.",
    "action-item-owner": "An action item has no owner.",
    "action-item-due": "An action item has no due date.",
    "empty-postmortem": "A published postmortem has neither a body nor a url.",
    "missing-regulatory": "A security or data-loss incident must state whether personal data "
                          "is involved, in a regulatory block.",
    "aware-without-decider": "regulatory.aware_at is a decision; say who took it in "
                             "decided_by.",
    "unknown-regime": "A regulatory regime is not defined (gdpr, nis2, dora are built in).",
    "unknown-report-kind": "A report kind does not exist in its regime's chain.",
    "control-character": "A text holds an invisible control character (often from a YAML "
                         "escape like \\x01 or a paste from a terminal). Remove it: feeds "
                         "and calendars cannot carry it.",
    "pause-order": "A pause ends before it starts.",
    # --- warroom.yaml rules (config_rules) ---
    "duplicate-component-id": "Two components share an id in warroom.yaml.",
    "reserved-component-id": "A component id is reserved by the site (status: the overall "
                             "badge is badges/status.svg). Choose another id.",
    "duplicate-severity": "Two severities share an id in warroom.yaml.",
    "unknown-calendar": "A target names a calendar that is not declared under calendars.",
    "unknown-timezone": "A time zone is not a known IANA name such as Europe/Paris.",
    "bad-hours": "Working hours end before they start.",
    "unknown-deadline-start": "A regulatory deadline starts from something that is neither "
                              "aware, classified nor an earlier report of the chain.",
    # --- history (issue 3) ---
    "commit-in-future": "A commit that records incident changes is dated after the present "
                        "(a wrong clock, or a forged date). The times it records are kept but "
                        "cannot be trusted; fix the clock of whoever made it.",
    "commit-before-parent": "A commit is dated earlier than its parent, so history runs "
                            "backwards there (a skewed clock, or dates rewritten by hand). The "
                            "times it records may be too early.",
    "incident-deleted": "An incident file was deleted (or its id changed). Its history is kept "
                        "and reported; restore the file, or mark the incident canceled instead "
                        "of deleting it.",
    "uncommitted-incident": "An incident file differs from the last commit, or is not committed "
                            "yet; what it adds counts as recorded now. Commit it for lasting "
                            "times.",
    "no-git-history": "The repository is not a git repository (or git is not installed), so "
                      "every incident counts as recorded now. Run warroom inside a git clone.",
    "unparsable-version": "A committed version of an incident file could not be read as YAML. "
                          "It is skipped: what it changed counts from the next readable "
                          "version.",
    # --- sla (issue 3) ---
    "stated-after-recorded": "A stated time (an update's at, detected_at, mitigated_at, "
                             "resolved_at) is later than the commit that records the same "
                             "fact, which is impossible. Correct the time.",
    "stated-long-before": "A stated time is earlier than the commit that records it by more "
                          "than sla.stated_drift (24h by default). Allowed, but check the date.",
    "action-item-overdue": "An open action item is past its due date. Finish it, move the "
                           "date, or mark it wont_do.",
    "postmortem-overdue": "The postmortem target has passed and the postmortem is not "
                          "published. Publish it (postmortem: {status: published}).",
    "decision-pending": "A security or data-loss incident may involve personal data but no "
                        "regulatory.aware_at was stated after sla.decision_pending_after. "
                        "Decide, and record aware_at with decided_by.",
    # --- site pages and build (issue 4) ---
    # --- site feeds, API, status roll-up (issue 4) ---
    # --- authoring (issue 5) ---
    # --- metrics and report (issue 6) ---
    # --- import (issue 7) ---
}


def markdown() -> str:
    """docs/codes.md, generated."""
    lines = [
        "# Problem codes",
        "",
        "Every problem warroom reports carries one of these codes. Generated from",
        "`tooling/warroom/codes.py` by `warroom codes --markdown`; do not edit by hand.",
        "",
        "| code | meaning and fix |",
        "| --- | --- |",
    ]
    lines += [f"| `{code}` | {text} |" for code, text in sorted(CODES.items())]
    return "\n".join(lines) + "\n"
