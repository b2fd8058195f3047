"""Roles and what each may do. Pages are listed per role, and every data function that returns
person-level data or changes something checks the role again (a page reached by URL shows nothing).

viewer  (leadership): aggregates, maps, briefings
analyst: + uploads, person-level detail, the alert workflow
admin:   + users, rule thresholds, undoing batches, the audit log
"""

from __future__ import annotations

ROLES = ("viewer", "analyst", "admin")

PERMISSIONS = {
    "view_aggregates": {"viewer", "analyst", "admin"},
    "export_briefing": {"viewer", "analyst", "admin"},
    "upload": {"analyst", "admin"},
    "view_person_level": {"analyst", "admin"},
    "change_alert_status": {"analyst", "admin"},
    "undo_batch": {"admin"},
    "manage_users": {"admin"},
    "edit_rules": {"admin"},
    "view_audit": {"admin"},
}


class Forbidden(PermissionError):
    pass


def can(role: str | None, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def require(role: str | None, permission: str) -> None:
    if not can(role, permission):
        raise Forbidden(f"role {role!r} may not {permission}")
