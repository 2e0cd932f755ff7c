// The ballot protocol of core/ballotcrypto in the browser, byte for byte
// (docs/ballot-encryption.md is the specification; tests/browser/test_ballotcrypto_js.py
// checks the known answers). The group, hash and cipher are noble's, audited and vendored
// (static/vendor/noble); what is here is only the protocol layer: framing, hashing to
// scalars, ElGamal, the proofs, the ballot, and what a trustee does.
import { ristretto255 } from "../vendor/noble/curves/ed25519.js";
import { sha256, sha512 } from "../vendor/noble/hashes/sha2.js";
import { xsalsa20poly1305 } from "../vendor/noble/ciphers/salsa.js";

const P = ristretto255.Point;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const G = P.BASE;
const ZERO = P.ZERO;
const enc = new TextEncoder();

export class CryptoError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// --- bytes ------------------------------------------------------------------

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function unhex(text) {
  if (typeof text !== "string" || text.length % 2 || !/^[0-9a-f]*$/.test(text)) {
    throw new CryptoError("length_invalid", "not lower-case hex");
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u32(n) {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

function readU32(bytes, at) {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

export function frame(...items) {
  return concat(...items.flatMap((x) => [u32(x.length), x]));
}

export function tag(name) {
  return enc.encode("besluit/ballotcrypto/v1/" + name);
}

const utf8 = (s) => enc.encode(s);

// --- scalars and points -------------------------------------------------------

const mod = (n) => ((n % L) + L) % L;

export function scalarBytes(s) {
  const out = new Uint8Array(32);
  let v = mod(s);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

function leNumber(bytes) {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export function decodeScalar(bytes) {
  if (bytes.length !== 32) throw new CryptoError("length_invalid", "a scalar is 32 bytes");
  const v = leNumber(bytes);
  if (v >= L) throw new CryptoError("scalar_noncanonical", "scalar is not reduced modulo L");
  return v;
}

export function decodePoint(bytes, allowIdentity = false) {
  let p;
  try {
    p = P.fromBytes(bytes);
  } catch {
    throw new CryptoError("point_invalid", "not a valid ristretto255 encoding");
  }
  if (!allowIdentity && p.equals(ZERO)) {
    throw new CryptoError("point_identity", "the identity element is not allowed here");
  }
  return p;
}

const pt = (p) => p.toBytes();
export const mul = (p, s) => (mod(s) === 0n ? ZERO : p.multiply(mod(s)));
export const baseTimes = (s) => mul(G, s);

export function hashToScalar(domain, ...parts) {
  return mod(leNumber(sha512(frame(tag(domain), ...parts))));
}

export function deriveNonce(seed, label, index) {
  if (seed.length !== 32) throw new CryptoError("length_invalid", "a nonce seed must be 32 bytes");
  return hashToScalar("nonce", seed, enc.encode(label), u32(index));
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

export function randomScalar() {
  for (;;) {
    const s = mod(leNumber(randomBytes(64)));
    if (s !== 0n) return s;
  }
}

// --- ElGamal and proofs ----------------------------------------------------------

export function encrypt(y, m, r) {
  return { alpha: baseTimes(r), beta: baseTimes(BigInt(m)).add(mul(y, r)) };
}

const ctBytes = (ct) => concat(pt(ct.alpha), pt(ct.beta));

function dleqChallenge(purpose, context, g1, p1, g2, p2, a1, a2) {
  return hashToScalar("dleq/" + purpose, context, pt(g1), pt(p1), pt(g2), pt(p2), pt(a1), pt(a2));
}

export function proveDleq(purpose, context, g1, g2, x, k) {
  const p1 = mul(g1, x);
  const p2 = mul(g2, x);
  const c = dleqChallenge(purpose, context, g1, p1, g2, p2, mul(g1, k), mul(g2, k));
  return concat(scalarBytes(c), scalarBytes(k + c * x));
}

export function verifyDleq(purpose, context, g1, p1, g2, p2, proof) {
  const c = decodeScalar(proof.slice(0, 32));
  const z = decodeScalar(proof.slice(32, 64));
  const a1 = mul(g1, z).subtract(mul(p1, c));
  const a2 = mul(g2, z).subtract(mul(p2, c));
  return dleqChallenge(purpose, context, g1, p1, g2, p2, a1, a2) === c;
}

function schnorr(purpose, context, x, k) {
  const p = baseTimes(x);
  const c = hashToScalar("schnorr/" + purpose, context, pt(G), pt(p), pt(baseTimes(k)));
  return concat(scalarBytes(c), scalarBytes(k + c * x));
}

function zeroOneChallenge(context, index, ct, a0, b0, a1, b1) {
  return hashToScalar(
    "zero-one", context, u32(index), pt(ct.alpha), pt(ct.beta), pt(a0), pt(b0), pt(a1), pt(b1),
  );
}

function proveZeroOne(context, index, y, ct, m, r, k, cFake, zFake) {
  const shifted = m === 0 ? ct.beta.subtract(G) : ct.beta; // the other branch's statement
  const fakeA = mul(G, zFake).subtract(mul(ct.alpha, cFake));
  const fakeB = mul(y, zFake).subtract(mul(shifted, cFake));
  const realA = mul(G, k);
  const realB = mul(y, k);
  if (m === 0) {
    const c = zeroOneChallenge(context, index, ct, realA, realB, fakeA, fakeB);
    const c0 = mod(c - cFake);
    return concat(...[c0, cFake, k + c0 * r, zFake].map(scalarBytes));
  }
  const c = zeroOneChallenge(context, index, ct, fakeA, fakeB, realA, realB);
  const c1 = mod(c - cFake);
  return concat(...[cFake, c1, zFake, k + c1 * r].map(scalarBytes));
}

// --- the ballot ------------------------------------------------------------------

export function voterBinding(pollId, memberCode, requestKey) {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(requestKey)) {
    throw new CryptoError("request_key_invalid", "a sealed ballot needs a random request key");
  }
  return hex(sha256(frame(tag("voter"), utf8(pollId), utf8(memberCode), utf8(requestKey))));
}

export function newRequestKey() {
  const b = randomBytes(24);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_");
}

function ballotContext(pollId, memberId, requestKey, y, n) {
  return frame(tag("ballot"), utf8(pollId), utf8(memberId), utf8(requestKey), pt(y), u32(n));
}

// encryptBallot({pollId, memberId, requestKey, publicKey: hex, options}, choice, seed?)
// -> {bytes, tracker, seed}; memberId is the voter binding for a sealed ballot.
export function encryptBallot(ctx, choice, seed = randomBytes(32)) {
  const n = ctx.options;
  if (!(n >= 2 && n <= 64)) throw new CryptoError("option_count", "2 to 64 options");
  if (!(choice >= 0 && choice < n)) throw new CryptoError("choice_invalid", "no such option");
  const y = decodePoint(unhex(ctx.publicKey));
  const rs = [...Array(n).keys()].map((i) => deriveNonce(seed, "r", i));
  const cts = rs.map((r, i) => encrypt(y, i === choice ? 1 : 0, r));
  const context = ballotContext(ctx.pollId, ctx.memberId, ctx.requestKey ?? "", y, n);
  const pctx = frame(context, concat(...cts.map(ctBytes)));
  const proofs = cts.map((ct, i) =>
    proveZeroOne(
      pctx, i, y, ct, i === choice ? 1 : 0, rs[i],
      deriveNonce(seed, "k", i), deriveNonce(seed, "c", i), deriveNonce(seed, "z", i),
    ),
  );
  const rSum = mod(rs.reduce((a, b) => a + b, 0n));
  const sumProof = proveDleq("ballot-sum", pctx, G, y, rSum, deriveNonce(seed, "k-sum", 0));
  const bytes = concat(u32(n), ...cts.map(ctBytes), ...proofs, sumProof);
  return { bytes, tracker: hex(sha256(bytes)), seed };
}

// Benaloh audit: does this ballot encrypt `choice` with the randomness from `seed`?
export function auditBallot(publicKeyHex, bytes, choice, seed) {
  const n = readU32(bytes, 0);
  const y = decodePoint(unhex(publicKeyHex));
  for (let t = 0; t < n; t++) {
    const ct = encrypt(y, t === choice ? 1 : 0, deriveNonce(seed, "r", t));
    if (hex(ctBytes(ct)) !== hex(bytes.slice(4 + 64 * t, 68 + 64 * t))) return false;
  }
  return true;
}

// --- trustees ----------------------------------------------------------------

export function electionBytes(electionId, n, k) {
  return frame(tag("election"), utf8(electionId), u32(n), u32(k));
}

function polynomial(seed, k) {
  return [...Array(k).keys()].map((l) => deriveNonce(seed, "coef", l));
}

function evalPoly(coefs, j) {
  let acc = 0n;
  for (let l = coefs.length - 1; l >= 0; l--) acc = mod(acc * BigInt(j) + coefs[l]);
  return acc;
}

// Step 1: a communication key and the dealer commitment, with proofs.
export function trusteeKey(election, index, comm, seed) {
  const params = electionBytes(election.id, election.n, election.k);
  const commKey = concat(
    u32(index), pt(baseTimes(comm)),
    schnorr("comm-key", frame(params, u32(index)), comm, randomScalar()),
  );
  const coefs = polynomial(seed, election.k);
  const points = concat(...coefs.map((a) => pt(baseTimes(a))));
  const proof = schnorr("dealer", frame(params, u32(index), points), coefs[0], randomScalar());
  const commitment = concat(u32(index), u32(election.k), points, proof);
  return { commKey, commitment };
}

function shareKey(params, dealer, recipient, ePub, pJ, z) {
  const k = sha512(
    frame(tag("share-kdf"), params, u32(dealer), u32(recipient), pt(ePub), pt(pJ), pt(z)),
  );
  return { key: k.slice(0, 32), nonce: k.slice(32, 56) };
}

// Step 2: s_ij = f_i(j) boxed for each other trustee's communication key.
export function dealShares(election, index, seed, commKeys) {
  const params = electionBytes(election.id, election.n, election.k);
  const coefs = polynomial(seed, election.k);
  const out = [];
  for (const [j, keyHex] of Object.entries(commKeys)) {
    if (Number(j) === index) continue;
    const pJ = decodePoint(unhex(keyHex).slice(4, 36));
    const e = randomScalar();
    const ePub = baseTimes(e);
    const { key, nonce } = shareKey(params, index, Number(j), ePub, pJ, mul(pJ, e));
    const box = xsalsa20poly1305(key, nonce).encrypt(scalarBytes(evalPoly(coefs, Number(j))));
    out.push(concat(u32(index), u32(Number(j)), pt(ePub), box));
  }
  return out;
}

function commitmentEval(commitmentHex, j) {
  const bytes = unhex(commitmentHex);
  const k = readU32(bytes, 4);
  let acc = ZERO;
  for (let l = k - 1; l >= 0; l--) {
    acc = mul(acc, BigInt(j)).add(decodePoint(bytes.slice(8 + 32 * l, 40 + 32 * l)));
  }
  return acc;
}

// At the close: x_j from one's own polynomial and the boxes addressed to one, each
// opened and checked against its dealer's public commitment (Feldman).
export function keyShare(election, index, comm, seed, inbox, commitments) {
  const params = electionBytes(election.id, election.n, election.k);
  let x = evalPoly(polynomial(seed, election.k), index);
  const myPub = baseTimes(comm);
  for (const msgHex of inbox) {
    const msg = unhex(msgHex);
    const dealer = readU32(msg, 0);
    const ePub = decodePoint(msg.slice(8, 40));
    const { key, nonce } = shareKey(params, dealer, index, ePub, myPub, mul(ePub, comm));
    let s;
    try {
      s = decodeScalar(xsalsa20poly1305(key, nonce).decrypt(msg.slice(40)));
    } catch {
      throw new CryptoError("share_decrypt_failed", `the share of trustee ${dealer} does not open`);
    }
    if (!baseTimes(s).equals(commitmentEval(commitments[dealer], index))) {
      throw new CryptoError("share_invalid", `the share of trustee ${dealer} does not match`);
    }
    x = mod(x + s);
  }
  return x;
}

// D_t = x·alpha_t with a DLEQ proof per option (nonces from a fresh seed).
export function decryptionShare(election, index, x, ciphertextsHex, seed = randomBytes(32)) {
  const params = electionBytes(election.id, election.n, election.k);
  const factors = [];
  const proofs = [];
  ciphertextsHex.forEach((ctHex, t) => {
    const raw = unhex(ctHex);
    const alpha = decodePoint(raw.slice(0, 32), true);
    factors.push(pt(mul(alpha, x)));
    const context = frame(params, u32(index), u32(t), raw);
    proofs.push(proveDleq("decryption-share", context, G, alpha, x, deriveNonce(seed, "dec", t)));
  });
  return concat(u32(index), u32(ciphertextsHex.length), ...factors, ...proofs);
}
