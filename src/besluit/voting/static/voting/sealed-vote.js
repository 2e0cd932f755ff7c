// The sealed vote on the poll and live pages (web/sealed/_vote.html): encrypt the choice
// here, show its tracker, then cast it or audit it (Benaloh: open it, check it holds the
// choice, discard it). The receipt is kept in this browser only (localStorage), since
// the server cannot tell which encrypted vote is this member's. A proxy holder's form for a
// member it represents (data-for) binds the proofs to that member and names it in the
// request; its receipt is kept under the poll and that member (data-receipt).
import { encryptBallot, auditBallot, voterBinding, newRequestKey } from "./ballotcrypto.js";

const state = new WeakMap();

function show(form, step, on = true) {
  const el = form.querySelector(`[data-step="${step}"]`);
  if (el) el.hidden = !on;
}

function message(form, text, kind) {
  const box = form.querySelector('[data-step="message"]');
  box.className = `utrecht-alert utrecht-alert--${kind}`;
  box.querySelector("[data-message]").textContent = text;
  box.hidden = false;
}

function showReceipt(root, receiptKey) {
  const saved = localStorage.getItem(`besluit-receipt-${receiptKey}`);
  if (!saved) return false;
  const receipt = JSON.parse(saved);
  for (const box of root.querySelectorAll(`[data-sealed-receipt="${receiptKey}"]`)) {
    box.querySelector("[data-tracker]").textContent = receipt.tracker;
    const blob = new Blob([JSON.stringify(receipt, null, 2)], { type: "application/json" });
    box.querySelector("[data-download]").href = URL.createObjectURL(blob);
    box.hidden = false;
  }
  return true;
}

function receiptKeyOf(form) {
  return form.dataset.receipt || form.dataset.poll;
}

function init(root) {
  for (const form of root.querySelectorAll("form[data-sealed-vote]")) {
    if (showReceipt(document, receiptKeyOf(form))) continue; // voted from this browser
    form.hidden = false;
  }
}

function seal(form, button) {
  const d = form.dataset;
  const requestKey = newRequestKey();
  const voter = voterBinding(d.poll, d.member, requestKey);
  const choice = Number(button.dataset.choice);
  const ballot = encryptBallot(
    { pollId: d.poll, memberId: voter, requestKey: "", publicKey: d.key, options: Number(d.options) },
    choice,
  );
  state.set(form, { ballot, requestKey, choice });
  form.querySelector("[data-chosen]").textContent = button.dataset.label;
  form.querySelector("[data-tracker]").textContent = ballot.tracker;
  form.querySelector(".vote-options").hidden = true;
  show(form, "message", false);
  show(form, "confirm");
}

function reset(form) {
  state.delete(form);
  form.querySelector(".vote-options").hidden = false;
  show(form, "confirm", false);
}

async function cast(form) {
  const s = state.get(form);
  if (!s) return;
  const body = new FormData();
  body.set("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  body.set("ballot", Array.from(s.ballot.bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
  body.set("request_key", s.requestKey);
  if (form.dataset.for) body.set("member", form.dataset.for);
  form.querySelector("[data-cast]").disabled = true;
  let answer;
  try {
    const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || response.statusText);
  } catch (err) {
    message(form, `${form.dataset.msgError} ${err.message}`, "error");
    form.querySelector("[data-cast]").disabled = false;
    return;
  }
  localStorage.setItem(`besluit-receipt-${receiptKeyOf(form)}`, JSON.stringify(answer.receipt));
  form.hidden = true;
  showReceipt(document, receiptKeyOf(form));
}

function audit(form) {
  const s = state.get(form);
  if (!s) return;
  const ok = auditBallot(form.dataset.key, s.ballot.bytes, s.choice, s.ballot.seed);
  reset(form); // an audited ballot is never cast
  message(form, ok ? form.dataset.msgAuditOk : form.dataset.msgAuditBad, ok ? "ok" : "error");
}

document.addEventListener("click", (event) => {
  const form = event.target.closest("form[data-sealed-vote]");
  if (!form) return;
  const choice = event.target.closest("[data-choice]");
  if (choice) seal(form, choice);
  else if (event.target.closest("[data-audit]")) audit(form);
  else if (event.target.closest("[data-cancel]")) reset(form);
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-sealed-vote]");
  if (!form) return;
  event.preventDefault();
  cast(form);
});

document.addEventListener("htmx:afterSettle", (event) => init(event.target));
init(document);
