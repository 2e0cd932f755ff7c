// "Controleer uw stem": check a receipt in the browser against its signed checkpoint:
// the leaf (canonical JSON of the event), its RFC 9162 inclusion proof up to the
// checkpoint's root, and the Ed25519 signature over "besluit checkpoint v1\n" +
// canonical JSON of the checkpoint (core/votelog.py, core/merkle.py). Then against the
// poll's signed closing checkpoint from the public feed (/open/stemmingen/<poll>/
// controlepunt.json): its signature, and the RFC 9162 consistency proof that the
// receipt's tree is a prefix of the closed log. The server is trusted for nothing: a
// wrong answer fails one of the checks.
import { ed25519 } from "../vendor/noble/curves/ed25519.js";
import { sha256 } from "../vendor/noble/hashes/sha2.js";
import { concat, hex, unhex } from "./ballotcrypto.js";

// canonical_json: keys sorted by code point, no whitespace (our events and checkpoints
// hold only strings, whole numbers, booleans, null, lists and objects).
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const enc = new TextEncoder();
const leafHash = (data) => sha256(concat(new Uint8Array([0]), data));
const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

// RFC 9162 2.1.3.2: the root from a leaf hash, its index, the tree size and the path.
export function rootFromProof(hash, index, size, path) {
  if (index >= size) throw new Error("the index lies outside the tree");
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of path) {
    if (sn === 0) throw new Error("the proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the proof is too short");
  return r;
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162 2.1.4.2 (core/merkle.py verify_consistency): is (oldSize, oldRoot) a prefix
// of (newSize, newRoot)?
export function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  if (!(oldSize > 0) || oldSize > newSize) return false;
  const path = [...proof];
  if (oldSize === newSize) return path.length === 0 && same(oldRoot, newRoot);
  if (path.length === 0) return false;
  if ((oldSize & (oldSize - 1)) === 0) path.unshift(oldRoot);
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, oldRoot) && same(sr, newRoot);
}

function checkSignature(signed, publicKeyHex, what) {
  const message = enc.encode("besluit checkpoint v1\n" + canonical(signed.checkpoint));
  if (!ed25519.verify(unhex(signed.signature), message, unhex(publicKeyHex))) {
    throw new Error(`the ${what} signature is not valid for this installation's key`);
  }
}

// The closing checkpoint and the consistency proof, as the public feed gives them.
export function checkLatest(receipt, latest, publicKeyHex) {
  const cp = receipt.checkpoint.checkpoint;
  const closing = latest.checkpoint;
  if (closing.checkpoint.poll !== receipt.poll) throw new Error("the closing checkpoint is another poll's");
  checkSignature(closing, publicKeyHex, "closing checkpoint");
  const c = latest.consistency;
  if (c.from !== cp.size || c.to !== closing.checkpoint.size) {
    throw new Error("the consistency proof is for other tree sizes");
  }
  if (!verifyConsistency(cp.size, closing.checkpoint.size, unhex(cp.root),
    unhex(closing.checkpoint.root), c.proof.map(unhex))) {
    throw new Error("the closed log is not an extension of the tree your receipt was signed for");
  }
  return closing.checkpoint.size;
}

export function checkReceipt(receipt, publicKeyHex) {
  const leaf = leafHash(enc.encode(canonical(receipt.event)));
  const signed = receipt.checkpoint;
  const cp = signed.checkpoint;
  if (cp.poll !== receipt.poll || receipt.event.poll !== receipt.poll) {
    throw new Error("the receipt, its event and its checkpoint name different polls");
  }
  const root = rootFromProof(leaf, receipt.index, cp.size, receipt.proof.map(unhex));
  if (hex(root) !== cp.root) throw new Error("the inclusion proof does not lead to the signed root");
  checkSignature(signed, publicKeyHex, "checkpoint");
  return receipt.event.tracker ?? receipt.event.ballot;
}

const page = document.querySelector("[data-receipt-check]");
if (page) {
  // The button is disabled in the page until this module (and its imports) has loaded:
  // a click before would submit the form to the server, which checks nothing.
  const button = page.querySelector("[data-check-button]");
  if (button) button.disabled = false;
  page.querySelector("[data-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = page.querySelector("[data-result]");
    try {
      const data = JSON.parse(await event.target.receipt.files[0].text());
      const receipt = data.log ?? data; // a sealed receipt wraps the log receipt
      const tracker = checkReceipt(receipt, page.dataset.publicKey);
      const latest = page.querySelector("[data-latest]");
      // The receipt itself checks out: say so at once; the closing checkpoint follows
      // (a fetch that fails or does not extend the tree turns the answer into an error).
      box.className = "utrecht-alert utrecht-alert--ok";
      box.querySelector("p").textContent = page.dataset.msgOk;
      box.querySelector("[data-tracker]").textContent = tracker;
      latest.textContent = "";
      box.hidden = false;
      const url = page.dataset.latestUrl.replace("00000000-0000-0000-0000-000000000000", receipt.poll);
      const answer = await fetch(`${url}?van=${receipt.checkpoint.checkpoint.size}`);
      if (answer.status === 404) {
        latest.textContent = page.dataset.msgNotClosed;
      } else if (!answer.ok) {
        throw new Error(`the closing checkpoint could not be fetched (${answer.status})`);
      } else {
        const size = checkLatest(receipt, await answer.json(), page.dataset.publicKey);
        latest.textContent = page.dataset.msgClosed.replace("{size}", size);
      }
    } catch (err) {
      box.className = "utrecht-alert utrecht-alert--error";
      box.querySelector("p").textContent = `${page.dataset.msgBad} ${err.message}`;
      box.querySelector("[data-tracker]").textContent = "";
      page.querySelector("[data-latest]").textContent = "";
    }
    box.hidden = false;
  });
}
