// The playground page: a small Telegram-like client for the emulator's chat API.
// No framework and no build step: fetch, the DOM, and one long poll per open chat.
"use strict";

const state = {
  people: [],
  person: null,
  version: -1,
  rendered: new Map(), // message id -> {edits, deleted}
  poll: null, // AbortController of the running long poll
  userMessages: 0,
};

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, options);
  let body;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`The playground did not answer (${response.status}).`);
  }
  if (!body.ok) throw new Error(body.description || "That did not work.");
  return body.result;
}

function postJSON(path, data) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
}

function announce(text) {
  const region = $("announcer");
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read it even when it repeats.
  setTimeout(() => { region.textContent = text; }, 50);
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

function downloadLink(file, words) {
  const link = document.createElement("a");
  link.className = "file";
  link.href = `${file.url}?download=1`;
  link.download = file.name;
  link.textContent = `${words} (${formatSize(file.size)})`;
  return link;
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`;
}

// ------------------------------------------------------------------------------- people

async function loadPeople() {
  const result = await api("/_playground/people");
  $("chat-title").textContent = `Panelbot (${result.panel})`;
  showPeople(result.people);
  const wanted = Number(location.hash.slice(1));
  const first = result.people.find((p) => p.id === wanted) || result.people[0];
  $("person").value = String(first.id);
  $("person").addEventListener("change", () => choosePerson(Number($("person").value)));
  choosePerson(first.id);
}

function personLabel(person) {
  const language = person.language_english === person.language_name
    ? person.language_name
    : `${person.language_english} (${person.language_name})`;
  return `${person.name}: ${person.state}, ${language}`;
}

// The list says where each person stands now (Sam is a member once he has joined), so it is
// asked again whenever a chat changes.
function showPeople(people) {
  state.people = people;
  const select = $("person");
  for (const person of people) {
    let option = select.querySelector(`option[value="${person.id}"]`);
    if (!option) {
      option = document.createElement("option");
      option.value = String(person.id);
      select.append(option);
    }
    option.textContent = personLabel(person);
  }
  const current = state.person && people.find((p) => p.id === state.person.id);
  if (current) {
    state.person = current;
    $("person-about").textContent = current.about;
  }
}

let peopleTimer = null;
function refreshPeople() {
  clearTimeout(peopleTimer);
  peopleTimer = setTimeout(async () => {
    try {
      showPeople((await api("/_playground/people")).people);
    } catch (error) {
      // the next change asks again
    }
  }, 300);
}

function choosePerson(id) {
  const person = state.people.find((p) => p.id === id);
  if (!person) return;
  state.person = person;
  history.replaceState(null, "", `#${id}`);
  $("person-about").textContent = person.about;
  $("chat-subtitle").textContent = `You are ${person.name}`;
  $("text").lang = person.language;
  $("text").dir = person.dir;
  $("messages").replaceChildren();
  state.rendered.clear();
  state.version = -1;
  state.userMessages = 0;
  if (state.poll) state.poll.abort();
  follow(id);
}

// --------------------------------------------------------------------------------- chat

async function follow(personId) {
  const controller = new AbortController();
  state.poll = controller;
  let first = true;
  while (!controller.signal.aborted) {
    try {
      const query = state.version < 0 ? "" : `?after_version=${state.version}&timeout=25`;
      const view = await api(`/_emulator/chats/${personId}/view${query}`, { signal: controller.signal });
      if (controller.signal.aborted || state.person.id !== personId) return;
      state.version = view.version;
      render(view, first);
      first = false;
    } catch (error) {
      if (controller.signal.aborted) return;
      $("clock-status").textContent = "Lost touch with the playground. Trying again.";
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function render(view, first) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  let fresh = 0;
  const spoken = []; // read out together, so a burst of messages is not cut short
  state.userMessages = view.messages.filter((m) => !m.from_bot).length;
  for (const message of view.messages) {
    const seen = state.rendered.get(message.id);
    if (seen && seen.edits === message.edits && seen.deleted === message.deleted) continue;
    const item = messageElement(message);
    if (seen) {
      const old = document.getElementById(`m-${message.id}`);
      const focusedLabel = old && old.contains(document.activeElement) ? document.activeElement.textContent : null;
      old.replaceWith(item);
      if (focusedLabel !== null) keepFocus(item, focusedLabel);
      if (!first && message.from_bot) {
        spoken.push(message.deleted ? "Panelbot deleted a message." : `Panelbot changed a message: ${message.text}`);
      }
    } else {
      list.append(item);
      if (!first && message.from_bot) {
        fresh += 1;
        spoken.push(`Panelbot: ${message.text || (message.document ? `a file, ${message.document.name}` : "a picture")}`);
      }
    }
    state.rendered.set(message.id, { edits: message.edits, deleted: message.deleted });
  }
  if (first && view.messages.length) spoken.push(`${view.messages.length} messages in this chat.`);
  if (spoken.length) announce(spoken.join("\n"));
  if (first || fresh || nearBottom) list.scrollTop = list.scrollHeight;
  renderKeyboard(view.keyboard);
  renderCommands(view.commands || []);
  const person = state.person;
  $("start-bar").hidden = !(person.start && !person.joined && state.userMessages === 0);
  if (!first) refreshPeople();
}

function keepFocus(item, label) {
  const same = [...item.querySelectorAll("button, a")].find((b) => b.textContent === label);
  if (same) {
    same.focus();
  } else {
    item.focus();
  }
}

function messageElement(message) {
  const item = document.createElement("li");
  item.id = `m-${message.id}`;
  item.className = `msg ${message.from_bot ? "bot" : "me"}${message.deleted ? " deleted" : ""}`;
  item.dir = message.dir;
  // Screen readers pick a voice by lang. The bot writes in the person's language; a message
  // whose direction does not match it (a command, an English name) is left to the page's.
  if (message.dir === state.person.dir) item.lang = state.person.language;
  item.tabIndex = -1;
  item.dataset.messageId = String(message.id);
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = message.from_bot ? "Panelbot: " : "You: ";
  item.append(who);
  if (message.photo) {
    const image = document.createElement("img");
    image.src = message.photo.url;
    image.alt = message.from_bot ? "A picture from Panelbot" : "The picture you sent";
    item.append(image);
    if (message.from_bot) item.append(downloadLink(message.photo, "Save the picture"));
  }
  if (message.sticker) {
    const sticker = document.createElement("p");
    sticker.textContent = `${message.sticker} (sticker)`;
    item.append(sticker);
  }
  if (message.html) {
    const text = document.createElement("div");
    text.className = "text";
    text.innerHTML = message.html; // built by the server from the message entities, escaped
    item.append(text);
  }
  if (message.document) {
    item.append(downloadLink(message.document, `Download ${message.document.name}`));
  }
  if (message.buttons.length && !message.deleted) item.append(inlineKeyboard(message));
  const notes = [];
  // Telegram marks a message "edited" when its words change, not when only its buttons do.
  if (message.edited) notes.push("edited");
  if (message.deleted) notes.push("deleted");
  if (notes.length) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.dir = "ltr";
    meta.textContent = `(${notes.join(", ")})`;
    item.append(meta);
  }
  return item;
}

function inlineKeyboard(message) {
  const group = document.createElement("div");
  group.className = "inline-keyboard";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Buttons on this message");
  for (const row of message.buttons) {
    const line = document.createElement("div");
    line.className = "row";
    for (const spec of row) {
      let control;
      if (spec.url) {
        control = document.createElement("a");
        control.href = spec.url;
        control.target = "_blank";
        control.rel = "noopener noreferrer";
        control.textContent = spec.text;
      } else {
        control = document.createElement("button");
        control.type = "button";
        control.textContent = spec.text;
        if (spec.callback_data !== undefined) {
          control.addEventListener("click", () => tap(message.id, spec.callback_data));
        } else if (spec.copy_text) {
          control.addEventListener("click", () => navigator.clipboard.writeText(spec.copy_text.text));
        }
      }
      line.append(control);
    }
    group.append(line);
  }
  return group;
}

function renderKeyboard(keyboard) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  box.hidden = !keyboard;
  $("text").placeholder = (keyboard && keyboard.placeholder) || "Message";
  if (!keyboard) return;
  for (const row of keyboard.rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const label of row) {
      const control = document.createElement("button");
      control.type = "button";
      control.textContent = label;
      control.addEventListener("click", () => sendText(label));
      line.append(control);
    }
    box.append(line);
  }
}

function renderCommands(commands) {
  const list = $("command-list");
  const key = JSON.stringify(commands);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren();
  for (const command of commands) {
    const item = document.createElement("li");
    const control = document.createElement("button");
    control.type = "button";
    control.textContent = `/${command.command}: ${command.description}`;
    control.addEventListener("click", () => {
      $("commands").open = false;
      sendText(`/${command.command}`);
    });
    item.append(control);
    list.append(item);
  }
}

// ------------------------------------------------------------------------------ actions

async function sendText(text) {
  try {
    await postJSON("/_emulator/send", { user_id: state.person.id, text });
  } catch (error) {
    toast(error.message);
  }
}

async function tap(messageId, data) {
  try {
    const { callback_query_id: id } = await postJSON("/_emulator/tap", {
      user_id: state.person.id,
      message_id: messageId,
      data,
    });
    const answer = await api(`/_emulator/answers/${id}?timeout=10`);
    if (answer && answer.text) {
      if (answer.show_alert) toast(answer.text);
      else announce(answer.text);
    }
  } catch (error) {
    toast(error.message);
  }
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("user_id", String(state.person.id));
  form.append("caption", $("text").value);
  form.append("photo", file);
  try {
    await api("/_emulator/photo", { method: "POST", body: form });
    $("text").value = "";
  } catch (error) {
    toast(error.message);
  }
}

// -------------------------------------------------------------------------------- clock

function showClock(clock) {
  $("clock").textContent = `${clock.text} (${clock.timezone})`;
}

function messagesSent(count) {
  return count === 1 ? "1 message" : `${count} messages`;
}

// The clock stops at each moment something falls due on the way, so every reminder goes at
// its own time. The status says how often it stopped; "When" lists the moments.
function clockReport(result, span) {
  const stops = result.stops || [];
  if (!stops.length) return `The clock moved on ${span}. Nothing fell due on the way.`;
  const times = stops.length === 1 ? "once" : `${stops.length} times`;
  return `The clock moved on ${span}. It stopped ${times} to send ${messagesSent(result.sent)}, each when it fell due.`;
}

function showStops(stops) {
  const list = $("clock-stops-list");
  list.replaceChildren();
  for (const stop of stops) {
    const item = document.createElement("li");
    item.textContent = `${stop.text}: ${messagesSent(stop.sent)}`;
    list.append(item);
  }
  $("clock-stops").hidden = !stops.length;
}

async function moveClock(button) {
  const body = button.dataset.days ? { days: Number(button.dataset.days) } : { hours: Number(button.dataset.hours) };
  const status = $("clock-status");
  status.textContent = "Moving the clock…";
  showStops([]);
  try {
    const result = await postJSON("/_playground/clock", body);
    showClock(result);
    status.textContent = clockReport(result, button.dataset.span);
    showStops(result.stops || []);
  } catch (error) {
    status.textContent = error.message;
  }
}

async function refreshClock() {
  try {
    showClock(await api("/_playground/clock"));
  } catch (error) {
    // the next refresh tries again
  }
}

// ---------------------------------------------------------------------------------- wiring

function init() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    sendText(text);
  });
  $("photo").addEventListener("change", () => {
    const file = $("photo").files[0];
    if (file) sendPhoto(file);
    $("photo").value = "";
  });
  $("start").addEventListener("click", () => {
    if (state.person && state.person.start) sendText(state.person.start);
  });
  for (const button of document.querySelectorAll(".jumps button")) {
    button.addEventListener("click", () => moveClock(button));
  }
  refreshClock();
  setInterval(refreshClock, 30000);
  loadPeople().catch((error) => toast(error.message));
}

document.addEventListener("DOMContentLoaded", init);
