// Measures `POST /api/evaluate` round trips against a running `kymsim serve` (docs/serve.md):
// N requests, each with a setting not asked before (so each fixes new parameter values in the
// compiled model and runs it — the slider's case), then N among the last 8 settings (answered
// from the cache of recent settings), then N of the scenarios as written.
//
//   node api-latency.mjs URL [N]
const [url, n = '300'] = process.argv.slice(2);
const N = Number(n);

async function timed(body) {
  const t0 = performance.now();
  const r = await fetch(`${url}api/evaluate`, { method: 'POST', body: JSON.stringify(body) });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`${r.status}`);
  return performance.now() - t0;
}

const stats = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p) => s[Math.round((s.length - 1) * p)];
  return { median: q(0.5).toFixed(2), p95: q(0.95).toFixed(2), max: s[s.length - 1].toFixed(2) };
};

const scenarios = ['baseline', 'programme', 'neutral2040'];
const bodies = [];
for (let i = 0; i < N; i += 1) {
  const scenario = scenarios[i % 3];
  // a fraction every measure kind accepts: grid decarbonisation is in every bundled scenario
  bodies.push({ scenario, overrides: { grid_decarbonisation: { value: (i + 1) / (N + 2) } } });
}
await timed({ scenario: 'programme' }); // warm-up
const fresh = [];
for (const b of bodies) fresh.push(await timed(b));
const cached = [];
for (let i = 0; i < N; i += 1) cached.push(await timed(bodies[N - 1 - (i % 8)]));
const central = [];
for (let i = 0; i < N; i += 1) central.push(await timed({ scenario: scenarios[i % 3] }));
console.log(JSON.stringify({ requests: N, new_setting: stats(fresh), recent_setting: stats(cached), as_written: stats(central) }));
