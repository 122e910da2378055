"""THE table of coordinator and admin actions, for tests/test_authorization_matrix.py.

Every row is tried by a member of the panel, by a coordinator of another panel and by a stranger
who never joined. A new coordinator action is covered by adding a row here; the coverage test
fails if a command or button prefix the bot registers is neither here nor in the lists of things
everyone may do.

Placeholders in `text` (ids in the victim panel, made by the test's world): {panel}, {meeting},
{poll} (a question the attackers were not sent), {feedback} (another member's anonymous message),
{claim} and {line} (another member's claim, one item of it asked about), {broadcast} (news waiting
to go), {bea} (the member whose things these are), {request} (her question to her coordinators).

The same table drives the other dimensions of tests/test_authorization_matrix.py: every row (and
every command anyone may use) typed or tapped in a group chat, every command arriving as an edit
of an earlier message, inline queries, and invites revoked or expired after they were opened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attempt:
    action: str  # a short name for failure messages
    via: str  # "command" (typed in the chat) or "button" (forged callback data)
    text: str

    def render(self, **ids: int) -> str:
        return self.text.format(**ids)


MATRIX: tuple[Attempt, ...] = (
    # Admin only.
    Attempt("make a panel", "command", "/newpanel Takeover Panel"),
    # Invites and the roster.
    Attempt("invite link", "command", "/invite"),
    Attempt("invite link for 7 days", "command", "/invite 7"),
    Attempt("invite link by button", "button", "invite:1:{panel}"),
    Attempt("invite link by button, 30 days", "button", "invite:1:{panel}:30"),
    Attempt("see the roster", "command", "/members"),
    Attempt("see the roster by button", "button", "members:1:{panel}"),
    # Removing people (the operator's `panelbot member remove|role` are in OPERATOR_ONLY).
    Attempt("list who can be removed", "button", "rm:1:l:{panel}"),
    Attempt("ask to remove a member", "button", "rm:1:a:{panel}:{bea}"),
    Attempt("remove a member", "button", "rm:1:y:{panel}:{bea}"),
    # Glossary and plain-language tools.
    Attempt("words nobody could explain", "command", "/jargon"),
    Attempt("add a term", "command", "/addterm PIP = a benefit we made up"),
    Attempt("remove a term", "command", "/removeterm PIP"),
    Attempt("check a text", "command", "/checktext Please come to the meeting."),
    # Meetings.
    Attempt("plan a meeting", "command", "/newmeeting"),
    Attempt("planner: choose a panel", "button", "nm:1:panel:{panel}"),
    Attempt("planner: carry on", "button", "nm:1:resume:go"),
    Attempt("planner: send the invitations", "button", "nm:1:preview:send"),
    Attempt("who is coming", "command", "/attendance"),
    Attempt("who is coming by button", "button", "mt:1:att:{meeting}"),
    Attempt("move a meeting", "button", "mt:1:move:{meeting}"),
    Attempt("ask to cancel a meeting", "button", "mt:1:cancel:{meeting}"),
    Attempt("cancel a meeting", "button", "mt:1:cancelyes:{meeting}"),
    Attempt("ask to repeat a meeting", "button", "mt:1:repeat:{meeting}"),
    Attempt("repeat a meeting weekly", "button", "mt:1:rep:{meeting}:week:4"),
    Attempt("repeat a meeting monthly", "button", "mt:1:rep:{meeting}:month:12"),
    Attempt("who is coming, meeting that does not exist", "button", "mt:1:att:999999"),
    # Questions (polls) and their results.
    Attempt("ask a question", "command", "/newpoll"),
    Attempt("question: choose a panel", "button", "np:1:panel:{panel}"),
    Attempt("question: choose a meeting", "button", "np:1:meeting:{meeting}"),
    Attempt("question: send it", "button", "np:1:preview:send"),
    Attempt("question: change it", "button", "np:1:preview:edit"),
    Attempt("see results", "command", "/results"),
    Attempt("see results by button", "button", "pr:1:v:{poll}"),
    Attempt("share results with the panel", "button", "pr:1:s:{poll}"),
    Attempt("download the answers", "button", "pr:1:x:{poll}"),
    Attempt("keep a question open longer", "button", "pc:1:l:{poll}"),
    Attempt("close a question at a new time", "button", "pc:1:t:{poll}:29484000"),
    Attempt("remind who has not answered", "button", "pc:1:r:{poll}"),
    Attempt("open again a question that does not exist", "button", "pc:1:l:999999"),
    Attempt("you said, we did: send it", "button", "wd:1:send"),
    Attempt("you said, we did: add a language", "button", "wd:1:vl:pl"),
    Attempt("see the answers needed", "command", "/minanswers"),
    Attempt("change the answers needed", "command", "/minanswers 9"),
    Attempt("change the answers needed by panel button", "button", "ps:1:m:{panel}"),
    # Answering a question one was not sent (a member action on someone else's question).
    Attempt("answer a question not sent to you", "button", "pa:1:c:{poll}:0"),
    Attempt("answer several, not sent to you", "button", "pa:1:d:{poll}:1"),
    Attempt("rate, not sent to you", "button", "pa:1:r:{poll}:3"),
    Attempt("skip a question not sent to you", "button", "pa:1:s:{poll}:0"),
    Attempt("type an answer, not sent to you", "button", "pa:1:w:{poll}:0"),
    Attempt("tick an answer, not sent to you", "button", "pa:1:t:{poll}:1"),
    # Anonymous feedback.
    Attempt("see the help lines", "command", "/helplines"),
    Attempt("change the help lines", "command", "/helplines\nCall us: 0800 000 000"),
    Attempt("reset the help lines", "command", "/helplines default"),
    Attempt("change the help lines by panel button", "button", "ps:1:h:{panel}"),
    Attempt("reply to an anonymous message", "button", "fb:1:r:{feedback}"),
    Attempt("answer back on someone else's message", "button", "fb:1:b:{feedback}"),
    # Expense claims.
    Attempt("review claims", "command", "/review"),
    Attempt("next claim to review", "button", "rv:1:n:0"),
    Attempt("approve a claim", "button", "rv:1:a:{claim}"),
    Attempt("reject an item", "button", "rv:1:r:{line}"),
    Attempt("ask about an item", "button", "rv:1:q:{line}"),
    Attempt("ask how it was paid", "button", "rv:1:p:{claim}"),
    Attempt("mark a claim paid", "button", "rv:1:pm:{claim}:bank"),
    Attempt("download claims", "command", "/export"),
    Attempt("download claims by button", "button", "ex:1:{panel}:month:csv"),
    Attempt("download a year of claims", "button", "ex:1:{panel}:year:xlsx"),
    Attempt("take back someone else's claim", "button", "cx:1:w:{claim}"),
    Attempt("answer a question on someone else's claim", "button", "cx:1:a:{line}"),
    Attempt("ask about someone else's claim", "button", "cx:1:q:{claim}"),
    # Members' questions and requests to coordinators.
    Attempt("reply to a member's question", "button", "rq:1:r:{request}"),
    Attempt("reply to a question that does not exist", "button", "rq:1:r:999999"),
    # News to everyone (broadcasts).
    Attempt("send news", "command", "/broadcast"),
    Attempt("see sent news", "command", "/broadcasts"),
    Attempt("news: choose a panel", "button", "bc:1:p:{panel}"),
    Attempt("news: choose a meeting", "button", "bc:1:m:{meeting}"),
    Attempt("news: list meetings", "button", "bc:1:meet"),
    Attempt("news: next", "button", "bc:1:next"),
    Attempt("news: send now", "button", "bc:1:now"),
    Attempt("news: send it", "button", "bc:1:send"),
    Attempt("cancel news", "button", "bc:1:cancel:{broadcast}"),
    Attempt("who the news could not reach", "button", "bc:1:who:{broadcast}"),
)

# Commands anyone may use (they only ever touch the person's own data), and why.
COMMANDS_FOR_EVERYONE = {
    "start": "joining and the main menu",
    "help": "help",
    "menu": "the big buttons",
    "language": "the person's own language",
    "settings": "the person's own answers",
    "explain": "the glossary",
    "meetings": "the person's own meetings",
    "mydata": "the person's own data",
    "forgetme": "deleting the person's own data",
    "leave": "leaving a panel",
    "feedback": "writing to the person's own panels",
    "claim": "the person's own claim",
    "expenses": "the person's own claims",
}

# Callback-data features anyone may tap, and why. Features mixing both kinds list their
# coordinator actions in MATRIX and their member actions in ACTIONS_FOR_EVERYONE.
BUTTONS_FOR_EVERYONE = {
    "ob": "onboarding: the person's own answers",
    "set": "settings: the person's own answers",
    "lang": "the person's own language",
    "start": "the start menu",
    "gl": "glossary: show an entry, ask a coordinator",
    "forget": "deleting the person's own data",
    "leave": "leaving a panel",
    "cl": "the person's own claim form; sending it checks the panel again",
    "cm": "a claim for the person's own meeting (its panel checked); sending checks it again",
    "fm": "the form engine: Back, Stop, Carry on in the person's own open form",
}
# Sub-actions (the part after "feature:version:") anyone may tap, per mixed feature.
ACTIONS_FOR_EVERYONE = {
    "mt": {"rsvp", "sup", "supother", "supdone", "ics", "came", "keep"},
    "fb": {"m", "p"},  # writing to one's own panels
    "np": {"x"},  # leaving one's own unfinished question
    "rm": {"x"},  # "No, keep everyone": changes nothing
}

# What only whoever runs the server can do, from its terminal (bot/cli.py ACTIONS): no command or
# button in the bot does these, so there is nothing to forge; the coverage test checks that every
# terminal action is listed here, so a new one is a conscious choice.
OPERATOR_ONLY = {
    ("panel", "create"): "make a panel (admins also have /newpanel, in MATRIX)",
    ("panel", "list"): "list panels",
    ("admin", "add"): "make someone an admin",
    ("admin", "remove"): "take admin rights away",
    ("member", "remove"): "take anyone off a panel (coordinators: rm buttons, in MATRIX)",
    ("member", "role"): "make someone a member or a coordinator",
    ("invite", "create"): "make a member or coordinator invite",
    ("invite", "revoke"): "turn an invite off",
    ("invite", "list"): "list a panel's invites",
    ("export", "claims"): "the finance export (coordinators: /export, in MATRIX)",
    ("expenses", "rates"): "a panel's rates and limits",
}

# A refusal must say one of these (in English; members here use English), never "something went
# wrong".
KIND_REFUSALS = (
    "Only coordinators can do this",
    "Only admins can make a new panel",
    "only the coordinators of a panel",
    "This button no longer works",
    "This meeting is not one of yours",
    "Only a coordinator of this panel can do that",
    "You cannot send news to that group",
    "This question is not for you",
)


def matrix_commands() -> set[str]:
    return {a.text.split()[0].lstrip("/") for a in MATRIX if a.via == "command"}


def matrix_buttons() -> dict[str, set[str]]:
    """feature -> the sub-actions the matrix tries (second field after the version)."""
    found: dict[str, set[str]] = {}
    for attempt in MATRIX:
        if attempt.via == "button":
            parts = attempt.text.split(":")
            found.setdefault(parts[0], set()).add(parts[2] if len(parts) > 2 else "")
    return found
