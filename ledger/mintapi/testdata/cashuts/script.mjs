// An unmodified cashu-ts wallet against the cyclecash mint, driven by
// TestCashuTSInterop (ledger/mintapi/interop_test.go).
//
//   node script.mjs <mint url> <token from our wallet> <amount to send back>
//
// It loads the mint's keysets (each ID must verify in cashu-ts), receives
// the token into the token's own keyset (the mint refuses outputs in a
// later one with 12002, which it checks first), checks that the token's
// proofs are now SPENT and the received ones UNSPENT, and sends the amount
// back. It prints one JSON line {"token": ..., "keysets": n} and exits 0;
// any failure exits 1 with the reason on stderr.
import { Wallet, getEncodedToken, isMintOperationError } from '@cashu/cashu-ts';

const [url, tokenIn, sendAmount] = process.argv.slice(2);

function fail(msg) {
  console.error('cashuts: ' + msg);
  process.exit(1);
}

function total(ps) {
  return ps.reduce((s, p) => s + Number(p.amount), 0);
}

async function states(wallet, proofs, want) {
  const st = await wallet.checkProofsStates(proofs);
  if (st.length !== proofs.length) fail(`checkstate answered ${st.length} states for ${proofs.length} proofs`);
  for (const s of st) if (s.state !== want) fail(`proof state ${s.state}, want ${want}`);
}

async function main() {
  const wallet = new Wallet(url, { unit: 'cu' });
  await wallet.loadMint();
  const keysets = wallet.keyChain.getKeysets();
  const active = keysets.filter((k) => k.isActive);
  if (active.length === 0) fail('no active keyset');
  for (const k of active) {
    if (!k.hasKeys || !k.verify()) fail(`keyset ${k.id} does not verify (its ID does not commit to its keys)`);
  }

  const tok = wallet.decodeToken(tokenIn);
  const ksid = tok.proofs[0].id;
  if (!active.some((k) => k.id === ksid)) fail(`the token's keyset ${ksid} is not active`);

  // A default receive builds outputs in the newest keyset; when the
  // token's keyset is older the mint must refuse (a swap never extends a
  // unit's life) and say so with 12002.
  const newest = wallet.keyChain.getCheapestKeyset().id;
  if (newest !== ksid) {
    try {
      await wallet.ops.receive(tokenIn).run();
      fail('the mint accepted outputs in a keyset that expires later than the inputs');
    } catch (e) {
      if (!isMintOperationError(e) || e.code !== 12002) fail(`default receive: ${e}`);
    }
  }
  const received = await wallet.ops.receive(tokenIn).keyset(ksid).requireDleq(true).run();
  if (total(received) !== total(tok.proofs)) fail(`received ${total(received)} of ${total(tok.proofs)}`);
  await states(wallet, tok.proofs, 'SPENT');
  await states(wallet, received, 'UNSPENT');

  const { send } = await wallet.ops.send(Number(sendAmount), received).keyset(ksid).run();
  if (total(send) !== Number(sendAmount)) fail(`sent ${total(send)}, want ${sendAmount}`);
  const out = getEncodedToken({ mint: url, unit: 'cu', proofs: send });
  console.log(JSON.stringify({ token: out, keysets: active.length }));
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
