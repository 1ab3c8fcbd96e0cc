"""Prompt injection: attempts to switch the policy off ("ignore the policy", "developer mode")
are refused by rule; nothing a user writes may skip the gate. The learned `injection` aspect
carries the same judgement to other languages and other wordings."""

from __future__ import annotations

import re

from policy.rules.text import fold_text, unleet

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|bypass|override|forget|skip|disable|turn off|switch off|circumvent|get around)"
    r" (?:all |any |the |your |my |these |those |previous |prior |above |earlier |every |of )*"
    r"(?:content |safety |image |usage |system |moderation |opt out |optout )?"
    r"(?:policy|policies|rules?|instructions?|guidelines?|filters?|safety|restrictions?|"
    r"moderation|guardrails?|checks?|opt out list|registry|censorship)\b"
    r"|\b(?:developer|god|dan|jailbreak|unrestricted|unfiltered|uncensored) mode\b"
    r"|\bjailbreak\b|\bjailbroken\b|\bno (?:rules|restrictions|filters|policy) apply\b|\bdo anything now\b"
    r"|\b(?:you are|you re|act as|pretend to be|pretend you are|pretend you re|roleplay as) (?:now )?(?:dan|an? "
    r"(?:ai|model|assistant|bot) (?:with|that has) no (?:rules|restrictions|filters|limits|policy)|an? "
    r"(?:unfiltered|uncensored|unrestricted|jailbroken) (?:ai|model|assistant|bot))\b"
    r"|\b(?:no longer|not) (?:bound by|subject to) (?:the |any |your )?(?:rules|policy|policies|guidelines|restrictions)\b"
    r"|\b(?:opt out list|registry|policy|rules) (?:no longer|doesn t|does not|don t|do not) appl(?:y|ies)\b"
    r"|\byou (?:have|has) no (?:rules|restrictions|filters|policy)\b"
    r"|\b(?:policy|policies|safety|filters?|moderation|opt out list|registry|rules|restrictions) (?:is |are |was |were |has been |have been |now )*(?:off|disabled|removed|lifted|empty|cleared|suspended|deactivated|turned off)\b"
    r"|\bpretend (?:there is|there are|you have) no (?:policy|rules|restrictions|filter)\b"
    r"|\b(?:i am|i m) (?:the|an|your) (?:admin|administrator|developer|operator)\b.*\b(?:allow|permit|authori[sz]e|override)\b"
)


def is_injection(text: str) -> bool:
    folded = fold_text(text)
    return bool(_INJECTION.search(folded) or _INJECTION.search(unleet(text)))
