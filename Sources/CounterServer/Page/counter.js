// The counter page: follows the server's state (server-sent events) and sends PIN-A or PIN-B in a POST.
// Everything shown comes from the state object; nothing is stored in the browser.
"use strict";

const labels = JSON.parse(document.getElementById("labels").textContent);
const $ = (id) => document.getElementById(id);

/** A label with {placeholders} filled in. */
function say(key, values = {}) {
  const text = labels[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ""));
}

for (const element of document.querySelectorAll("[data-label]")) element.textContent = say(element.dataset.label);
for (const element of document.querySelectorAll("[data-alt]")) element.alt = say(element.dataset.alt);

function setImage(element, url) {
  if (url) element.src = url; else element.removeAttribute("src");
}

/** Adds `text` (the library's own words, in English) to `element` as small print. */
function appendDetail(element, text) {
  if (!text) return;
  const detail = document.createElement("span");
  detail.className = "reason";
  detail.textContent = text;
  element.append(detail);
}

function showVerdict(element, verdict) {
  element.replaceChildren();
  element.dataset.result = verdict ? verdict.result : "none";
  if (!verdict) return;
  element.append(say("verdict." + verdict.result));
  appendDetail(element, verdict.reason);
}

function renderCard(card) {
  $("card-kind").textContent = say("cardKind." + card.card);
  $("card-atr").textContent = say("card.atrLine", { atr: card.atr, card: say("atrCard." + card.atrCard), kind: say("atr." + card.atrKind) });
  $("card-applets").textContent = Object.keys(card.applets).sort()
    .map((applet) => `${say("applet." + applet)}: ${say(card.applets[applet] ? "present" : "absent")}`).join(" / ");
  $("certificates").replaceChildren(...card.certificates.map((line) => {
    const item = document.createElement("li");
    item.dataset.status = line.status;
    item.textContent = `${say("certificate." + line.id)}: ${say("certificate." + line.status, { from: line.notBefore, until: line.notAfter })}`;
    if (line.status !== "valid") item.className = "bad";
    return item;
  }));
  $("pins").tBodies[0].replaceChildren(...card.pins.map((line) => {
    const row = document.createElement("tr");
    row.dataset.pin = line.pin;
    row.dataset.status = line.status;
    row.dataset.triesLeft = line.triesLeft ?? "";
    for (const text of [say("pinName." + line.pin), say("pin." + line.status, { n: line.triesLeft ?? "" })]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

function renderFace(face) {
  $("face").hidden = !face;
  setImage($("face-photo"), face && face.photo);
  setImage($("face-name"), face && face.name);
  setImage($("face-address"), face && face.address);
  $("face-birth-date").textContent = face ? face.birthDate : "";
  $("face-sex").textContent = face ? say("sex." + face.sex) : "";
  $("face-expiry-date").textContent = face ? face.expiryDate : "";
}

function renderSummary(summary) {
  $("summary").dataset.status = summary.status;
  $("summary-title").textContent = say("summary." + summary.status);
  $("summary-reasons").replaceChildren(...summary.reasons.map((reason) => {
    const item = document.createElement("li");
    item.dataset.code = reason.code;
    const subject = reason.code === "pin-blocked" ? say("pinName." + reason.subject)
      : reason.code === "certificate-problem" ? say("certificate." + reason.subject)
      : reason.code === "card-kind" ? say("cardKind." + reason.subject) : reason.subject;
    const detail = reason.code === "certificate-problem" ? say("certificateProblem." + reason.detail) : reason.detail;
    item.textContent = say("reason." + reason.code, { subject, detail });
    return item;
  }));
}

function renderNotice(notice) {
  const element = $("notice");
  element.hidden = !notice;
  element.replaceChildren();
  if (!notice) return;
  element.dataset.kind = notice.kind;
  element.append(say("notice." + notice.kind, { pin: notice.pin ? say("pinName." + notice.pin) : "", n: notice.triesLeft ?? "" }));
  if (notice.kind === "pin-wrong" && notice.pin === "face-b") element.append(" ", say("notice.pinBForm"));
  appendDetail(element, notice.detail);
}

function render(state) {
  const phase = $("phase");
  phase.dataset.phase = state.phase;
  phase.textContent = say("phase." + state.phase, { reader: state.reader ?? "" });
  $("card").hidden = !state.card;
  if (state.card) renderCard(state.card);
  renderFace(state.face);
  const notYet = state.card ? { result: "cannot-check", reason: say("verdict.needsPIN") } : null;
  showVerdict($("data-verdict"), state.face ? state.face.data : notYet);
  showVerdict($("chip-verdict"), state.face ? state.face.chip : (state.card ? state.card.chip : null));
  renderSummary(state.summary);
  renderNotice(state.notice);
  $("unlock-button").disabled = state.phase !== "card";
  if (!state.card) clearForm();
}

function clearSecrets() {
  $("security-code").value = "";
  $("my-number").value = "";
}

function clearForm() {
  clearSecrets();
  $("birth-date").value = "";
  $("expiry-year").value = "";
  $("foreign-resident").checked = false;
}

for (const radio of document.querySelectorAll("input[name=method]")) {
  radio.addEventListener("change", () => {
    const pinA = $("method-a").checked;
    $("fields-a").hidden = !pinA;
    $("fields-b").hidden = pinA;
    clearSecrets();
  });
}

$("unlock").addEventListener("submit", async (event) => {
  event.preventDefault();
  const pinA = $("method-a").checked;
  const form = new URLSearchParams();
  form.set("method", pinA ? "pin-a" : "pin-b");
  if (pinA) {
    form.set("myNumber", $("my-number").value.trim());
  } else {
    form.set("birthDate", $("birth-date").value.trim());
    form.set("expiryYear", $("expiry-year").value.trim());
    form.set("securityCode", $("security-code").value.trim());
    if ($("foreign-resident").checked) form.set("foreignResident", "1");
  }
  clearSecrets();
  $("unlock-button").disabled = true;
  try {
    await fetch("/unlock", { method: "POST", body: form, cache: "no-store", credentials: "omit" });
  } catch (error) {
    renderNotice({ kind: "connection" });
  }
});

const events = new EventSource("/events");
events.onmessage = (message) => render(JSON.parse(message.data));
// Lost the server: clear the screen (nothing from a card stays up), and let EventSource reconnect.
events.onerror = () => render({ phase: "connecting", summary: { status: "none", reasons: [] } });
