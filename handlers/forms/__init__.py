"""The one conversation engine: every form that waits for a person's answers runs on it.

A form declares itself once (`Form`, registered with `register`); the engine then gives every
form the same rules, so no feature can forget one:
- a menu button or a command in the middle of a form does what was tapped; the half-done form
  is kept (its draft) and offered back the next time the person opens it;
- /cancel, and the Stop button, end any form in every language, asking first where stopping
  would throw away something the person made;
- Back on every step after the first, with the earlier answers kept (the draft's trail);
- edited messages are never answers (handlers/guards/private_chats.py, before any feature);
- a stale button gets a kind note.
"""

from handlers.forms.engine import (
    back_and_stop,
    carry_on_offered,
    discard,
    go,
    handlers,
    stop_buttons,
    wait,
)
from handlers.forms.form import Accepts, Form, Step, Where, open_form, register, registered

__all__ = [
    "Accepts",
    "Form",
    "Step",
    "Where",
    "back_and_stop",
    "carry_on_offered",
    "discard",
    "go",
    "handlers",
    "open_form",
    "register",
    "registered",
    "stop_buttons",
    "wait",
]
