// A trustee's page (web/sealed/trustee_desk.html): make the key, send the shares, and
// at a close send the decryption shares. Secrets (the communication key c_i and the
// polynomial seed) exist only in this browser and in the trustee's key file, encrypted
// with AES-GCM under a key derived from the passphrase (PBKDF2-SHA256, 600,000 rounds,
// WebCrypto). The server gets public values, proofs and boxed shares only.
import {
  trusteeKey, dealShares, keyShare, decryptionShare, randomScalar, randomBytes,
  scalarBytes, decodeScalar, hex, unhex,
} from "./ballotcrypto.js";

const desk = document.querySelector("[data-trustee-desk]");
const ROUNDS = 600000;
let state = null;

function say(text, kind = "info") {
  const box = desk.querySelector("[data-message]");
  box.className = `utrecht-alert utrecht-alert--${kind}`;
  box.querySelector("p").textContent = text;
  box.hidden = false;
}

async function wrapKey(passphrase, salt) {
  const base = await crypto.subtle.importKey(
    "raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: ROUNDS },
    base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function sealFile(passphrase, secrets) {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await wrapKey(passphrase, salt);
  const plain = new TextEncoder().encode(JSON.stringify(secrets));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain));
  return {
    format: "besluit-trustee-key/1", election: state.election, trustee: state.index,
    kdf: { name: "PBKDF2-SHA256", iterations: ROUNDS, salt: hex(salt) },
    cipher: "AES-256-GCM", iv: hex(iv), data: hex(data),
  };
}

async function openFile(passphrase, file) {
  const key = await wrapKey(passphrase, unhex(file.kdf.salt));
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unhex(file.iv) }, key, unhex(file.data));
  return JSON.parse(new TextDecoder().decode(plain));
}

function download(name, object) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(object, null, 2)], { type: "application/json" }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

async function post(url, fields) {
  const body = new FormData();
  body.set("csrfmiddlewaretoken", desk.querySelector("[name=csrfmiddlewaretoken]").value);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.detail || response.statusText);
  return answer;
}

const election = () => ({ id: state.election, n: state.trustees, k: state.threshold });

async function refresh() {
  state = await (await fetch(desk.dataset.state, { credentials: "same-origin" })).json();
  desk.querySelector('[data-step="key"]').hidden = state.has_key;
  const dealing = state.status === "dealing" && !state.dealt;
  const pending = state.polls.filter((p) => !p.submitted);
  const ready = state.status === "ready" && pending.length > 0;
  desk.querySelector('[data-step="open"]').hidden = !(dealing || ready);
  for (const el of desk.querySelectorAll("[data-when-dealing]")) el.hidden = !dealing;
  for (const el of desk.querySelectorAll("[data-when-ready]")) el.hidden = !ready;
  const list = desk.querySelector("[data-polls]");
  list.replaceChildren(...pending.map((p) => {
    const li = document.createElement("li");
    li.className = "utrecht-unordered-list__item";
    li.textContent = p.title;
    return li;
  }));
}

desk.querySelector('[data-step="key"]').addEventListener("submit", async (event) => {
  event.preventDefault();
  const passphrase = event.target.passphrase.value;
  if (passphrase.length < 12) return say(desk.dataset.msgPassphrase, "error");
  try {
    const comm = randomScalar();
    const seed = randomBytes(32);
    const made = trusteeKey(election(), state.index, comm, seed);
    const file = await sealFile(passphrase, { comm: hex(scalarBytes(comm)), seed: hex(seed) });
    download(`sleutel-${state.election.slice(0, 8)}-${state.index}.json`, file);
    await post(desk.dataset.keyUrl, { comm_key: hex(made.commKey), commitment: hex(made.commitment) });
    event.target.reset();
    say(desk.dataset.msgDone, "ok");
  } catch (err) {
    say(`${desk.dataset.msgError} ${err.message}`, "error");
  }
  await refresh();
});

desk.querySelector('[data-step="open"]').addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const file = JSON.parse(await event.target.keyfile.files[0].text());
    if (file.election !== state.election || file.trustee !== state.index) {
      throw new Error("this key file belongs to another meeting or trustee");
    }
    let secrets;
    try {
      secrets = await openFile(event.target.passphrase.value, file);
    } catch {
      throw new Error("wrong passphrase, or the file was changed");
    }
    const comm = decodeScalar(unhex(secrets.comm));
    const seed = unhex(secrets.seed);
    if (state.status === "dealing" && !state.dealt) {
      const shares = dealShares(election(), state.index, seed, state.comm_keys).map(hex);
      await post(desk.dataset.sharesUrl, { shares: JSON.stringify(shares) });
    } else {
      const x = keyShare(election(), state.index, comm, seed, state.inbox, state.commitments);
      for (const poll of state.polls.filter((p) => !p.submitted)) {
        await post(poll.url, {
          weights: hex(decryptionShare(election(), state.index, x, poll.weighted)),
          counts: hex(decryptionShare(election(), state.index, x, poll.counts)),
        });
      }
    }
    event.target.reset();
    say(desk.dataset.msgDone, "ok");
  } catch (err) {
    say(`${desk.dataset.msgError} ${err.message}`, "error");
  }
  await refresh();
});

refresh();
