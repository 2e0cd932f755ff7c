// "Controleer uw stem": check a receipt in the browser against its signed checkpoint:
// the leaf (canonical JSON of the event), its RFC 9162 inclusion proof up to the
// checkpoint's root, and the Ed25519 signature over "besluit checkpoint v1\n" +
// canonical JSON of the checkpoint (core/votelog.py, core/merkle.py).
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

export function checkReceipt(receipt, publicKeyHex) {
  const leaf = leafHash(enc.encode(canonical(receipt.event)));
  const signed = receipt.checkpoint;
  const cp = signed.checkpoint;
  if (cp.poll !== receipt.poll || receipt.event.poll !== receipt.poll) {
    throw new Error("the receipt, its event and its checkpoint name different polls");
  }
  const root = rootFromProof(leaf, receipt.index, cp.size, receipt.proof.map(unhex));
  if (hex(root) !== cp.root) throw new Error("the inclusion proof does not lead to the signed root");
  const message = enc.encode("besluit checkpoint v1\n" + canonical(cp));
  if (!ed25519.verify(unhex(signed.signature), message, unhex(publicKeyHex))) {
    throw new Error("the checkpoint signature is not valid for this installation's key");
  }
  return receipt.event.tracker ?? receipt.event.ballot;
}

const page = document.querySelector("[data-receipt-check]");
if (page) {
  page.querySelector("[data-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = page.querySelector("[data-result]");
    try {
      const data = JSON.parse(await event.target.receipt.files[0].text());
      const receipt = data.log ?? data; // a sealed receipt wraps the log receipt
      const tracker = checkReceipt(receipt, page.dataset.publicKey);
      box.className = "utrecht-alert utrecht-alert--ok";
      box.querySelector("p").textContent = page.dataset.msgOk;
      box.querySelector("[data-tracker]").textContent = tracker;
    } catch (err) {
      box.className = "utrecht-alert utrecht-alert--error";
      box.querySelector("p").textContent = `${page.dataset.msgBad} ${err.message}`;
      box.querySelector("[data-tracker]").textContent = "";
    }
    box.hidden = false;
  });
}
