"""The operator page: the opt-out registry and the audit log, behind a password.

The password comes from `EASEL_OPERATOR_PASSWORD`; without it the page stays locked. Whether a
browser tab has unlocked it lives in that tab's own `gr.State`.
"""

from __future__ import annotations

import hmac
import time

from policy.registry import OptOutRegistry

LOCKED = "Enter the operator password to manage the opt-out registry and read the audit log."


class OperatorHandlers:
    def __init__(self, db_path, password: str | None):
        self.db_path = db_path
        self.password = password

    def unlock(self, attempt: str, unlocked: bool):
        import gradio as gr

        if not self.password:
            return False, "The operator page is disabled: set EASEL_OPERATOR_PASSWORD to enable it.", gr.update(visible=False)
        if hmac.compare_digest((attempt or "").encode(), self.password.encode()):
            return True, "Unlocked.", gr.update(visible=True)
        return False, "Wrong password.", gr.update(visible=False)

    def _registry(self) -> OptOutRegistry:
        return OptOutRegistry(self.db_path)

    def people_rows(self, unlocked: bool) -> list[list[str]]:
        if not unlocked:
            return []
        registry = self._registry()
        try:
            return [[p.name, ", ".join(p.aliases)] for p in registry.people()]
        finally:
            registry.close()

    def audit_rows(self, unlocked: bool) -> list[list[str]]:
        if not unlocked:
            return []
        registry = self._registry()
        try:
            entries = registry.audit_entries(limit=200)
        finally:
            registry.close()
        return [
            [time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["created_at"])), "allowed" if e["allowed"] else "refused",
             e["category"], e["prompt"], e["reason"]]
            for e in entries
        ]

    def add_person(self, name: str, aliases: str, unlocked: bool):
        if not unlocked:
            return LOCKED, self.people_rows(unlocked)
        name = (name or "").strip()
        if not name:
            return "Type the name to add.", self.people_rows(unlocked)
        registry = self._registry()
        try:
            registry.add(name, [a.strip() for a in (aliases or "").split(",") if a.strip()])
        finally:
            registry.close()
        return f"Added {name}. New requests see it at once.", self.people_rows(unlocked)

    def remove_person(self, name: str, unlocked: bool):
        if not unlocked:
            return LOCKED, self.people_rows(unlocked)
        registry = self._registry()
        try:
            removed = registry.remove((name or "").strip())
        finally:
            registry.close()
        return (f"Removed {name}." if removed else f"{name!r} is not in the registry."), self.people_rows(unlocked)
