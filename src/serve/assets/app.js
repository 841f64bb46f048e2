// kymsim serve: the explorer page. One slider per measure; every move asks the server for the
// central run of the settings (POST /api/evaluate) and redraws the verdict and the charts,
// drawn here as SVG. The Shapley attribution (slower) follows when the sliders rest; an
// uncertainty batch runs on demand. No library, nothing loaded from elsewhere.
'use strict';

(() => {
  const UI = {
    en: {
      title: (r, y) => `${r}: carbon neutrality in ${y}?`,
      skip: 'Skip to the results',
      scenario: 'Scenario',
      compare: 'Compare with',
      none: '(none)',
      resetAll: 'Reset all',
      export: 'Export scenario (TOML)',
      measures: 'Measures',
      results: 'Results',
      help: 'Move a slider (or focus it and use the arrow keys, Page Up/Down, Home/End). A value you choose is fixed; ↺ returns a measure to the scenario\'s own setting.',
      follow: 'keep up to date with the sliders',
      value: 'value',
      full: 'full by',
      reset: (n) => `Reset ${n}`,
      met: (y) => `Target ${y} met`,
      missed: (y) => `Target ${y} missed`,
      net: (y) => `Net emissions ${y}`,
      gross: (y) => `Gross ${y} vs limit`,
      removals: (y) => `Removals ${y}`,
      neutral: 'Carbon neutral from',
      never: 'never',
      vsRef: (y) => `Gross vs ${y}`,
      milestone: (y) => `Milestone ${y} (gross)`,
      cost: 'Annual cost of the costed measures',
      ownCost: 'of which the region\'s own measures',
      stateEu: 'state/EU',
      owners: { national: 'taken by the state', eu: 'taken by the EU' },
      meurYear: 'M€/yr',
      computing: 'computing…',
      ktyr: 'kt CO2e/yr',
      runBatch: (n) => `Uncertainty: run ${n} samples`,
      running: 'running…',
      batchResult: (p, n, lo, hi, y) => `P(target met) = ${p} (${n} samples); net ${y}: ${lo} … ${hi} kt (5–95 %)`,
      batchStale: 'for earlier settings — run again',
      capNet: (y) => `Net emissions, kt CO2e/yr — the target is net ≤ 0 in ${y}`,
      capSectors: 'Emissions by sector (removals below zero), kt CO2e/yr',
      capWedges: (y, m) => `Reductions by measure in ${y}, kt CO2e/yr (Shapley attribution, ${m})`,
      exact: 'exact',
      sampled: (n) => `sampled, ${n} permutations`,
      explored: 'these settings',
      asWritten: (s) => `${s} as written`,
      target: 'target',
      grossLimit: 'gross limit',
      netLine: 'net',
      fan: '5–95 % / 25–75 % of samples',
      others: (n) => `${n} other measures`,
      exported: (f) => `Saved ${f}. Run it with: kymsim run ${f} (kept beside the scenarios, or with --scenarios DIR).`,
      excluded: 'Not counted by the region\'s accounting: ',
      pillars: { logistics: 'Logistics', bioeconomy: 'Bioeconomy', transport: 'Transport links', digitalisation: 'Digitalisation', energy: 'Energy', other: 'Other' },
      effect: {
        activity: 'cut in activity',
        efficiency: 'cut in energy use per unit',
        fuel_switch: (f, t) => `of ${f} replaced by ${t}`,
        process: 'cut in process emissions',
        capture: 'of emissions captured',
        carrier_ef: 'cut in the emission factor',
        mix_switch: (f, t) => `of ${f} replaced by ${t}`,
        removal: 'removed a year',
        ccs: 'of the flue-gas CO2 captured',
        land_use_change: 'of the hectares turned to another land use',
        land_management: 'of the area managed for carbon',
      },
      central: 'scenario',
      uncertain: (lo, hi) => `uncertain: ${lo}–${hi}`,
      costPer: (c) => `${c} €/t`,
      chartNet: (s, v, y) => `Net emissions of ${s}: ${v} kt in ${y}`,
      chartSectors: 'Gross emissions stacked by sector, removals below zero',
      chartWedges: 'Bars of each measure\'s reduction in the target year',
    },
    fi: {
      title: (r, y) => `${r}: hiilineutraali vuonna ${y}?`,
      skip: 'Siirry tuloksiin',
      scenario: 'Skenaario',
      compare: 'Vertailu',
      none: '(ei mitään)',
      resetAll: 'Palauta kaikki',
      export: 'Vie skenaario (TOML)',
      measures: 'Toimenpiteet',
      results: 'Tulokset',
      help: 'Siirrä liukusäädintä (tai valitse se ja käytä nuolinäppäimiä, Page Up/Down, Home/End). Valitsemasi arvo on kiinteä; ↺ palauttaa toimenpiteen skenaarion omaan asetukseen.',
      follow: 'päivitä säätimien mukana',
      value: 'arvo',
      full: 'valmis',
      reset: (n) => `Palauta ${n}`,
      met: (y) => `Tavoite ${y} saavutetaan`,
      missed: (y) => `Tavoite ${y} jää saavuttamatta`,
      net: (y) => `Nettopäästöt ${y}`,
      gross: (y) => `Bruttopäästöt ${y} / raja`,
      removals: (y) => `Nielut ${y}`,
      neutral: 'Hiilineutraali vuodesta',
      never: 'ei koskaan',
      vsRef: (y) => `Bruttopäästöt vs. ${y}`,
      milestone: (y) => `Välitavoite ${y} (brutto)`,
      cost: 'Hinnoiteltujen toimenpiteiden vuosikustannus',
      ownCost: 'josta alueen omat toimenpiteet',
      stateEu: 'valtio/EU',
      owners: { national: 'valtion toimenpide', eu: 'EU:n toimenpide' },
      meurYear: 'M€/v',
      computing: 'lasketaan…',
      ktyr: 'kt CO2e/v',
      runBatch: (n) => `Epävarmuus: laske ${n} otosta`,
      running: 'lasketaan…',
      batchResult: (p, n, lo, hi, y) => `P(tavoite saavutetaan) = ${p} (${n} otosta); netto ${y}: ${lo} … ${hi} kt (5–95 %)`,
      batchStale: 'aiemmilla asetuksilla — laske uudelleen',
      capNet: (y) => `Nettopäästöt, kt CO2e/v — tavoite: netto ≤ 0 vuonna ${y}`,
      capSectors: 'Päästöt sektoreittain (nielut nollan alla), kt CO2e/v',
      capWedges: (y, m) => `Päästövähennys toimenpiteittäin ${y}, kt CO2e/v (Shapley-jako, ${m})`,
      exact: 'tarkka',
      sampled: (n) => `otanta, ${n} permutaatiota`,
      explored: 'nämä asetukset',
      asWritten: (s) => `${s} sellaisenaan`,
      target: 'tavoite',
      grossLimit: 'bruttoraja',
      netLine: 'netto',
      fan: 'otoksista 5–95 % / 25–75 %',
      others: (n) => `${n} muuta toimenpidettä`,
      exported: (f) => `Tallennettu ${f}. Aja: kymsim run ${f} (skenaarioiden rinnalla tai --scenarios DIR).`,
      excluded: 'Alueen laskentatapa ei huomioi: ',
      pillars: { logistics: 'Logistiikka', bioeconomy: 'Biotalous', transport: 'Liikenneyhteydet', digitalisation: 'Digitalisaatio', energy: 'Energia', other: 'Muut' },
      effect: {
        activity: 'toiminnan vähennys',
        efficiency: 'energiankulutuksen vähennys',
        fuel_switch: (f, t) => `${f} korvataan: ${t}`,
        process: 'prosessipäästöjen vähennys',
        capture: 'päästöistä talteen',
        carrier_ef: 'päästökertoimen vähennys',
        mix_switch: (f, t) => `${f} korvataan: ${t}`,
        removal: 'poistuma vuodessa',
        ccs: 'savukaasujen hiilidioksidista talteen',
        land_use_change: 'hehtaareista toiseen maankäyttöön',
        land_management: 'alasta hiilinielua lisäävään hoitoon',
      },
      central: 'skenaario',
      uncertain: (lo, hi) => `epävarma: ${lo}–${hi}`,
      costPer: (c) => `${c} €/t`,
      chartNet: (s, v, y) => `Skenaarion ${s} nettopäästöt: ${v} kt vuonna ${y}`,
      chartSectors: 'Bruttopäästöt sektoreittain pinottuna, nielut nollan alla',
      chartWedges: 'Kunkin toimenpiteen päästövähennys tavoitevuonna',
    },
  };

  const $ = (id) => document.getElementById(id);
  const SVGNS = 'http://www.w3.org/2000/svg';
  const state = {
    cat: null,
    lang: 'en',
    scenario: null,
    reference: null,
    overrides: {},
    evaluation: null,
    attribution: new Map(),
    batch: null,
    batchKey: null,
    batchRunning: false,
    seq: 0,
    inflight: false,
    pending: false,
    inputTime: null,
    attrTimer: null,
  };
  // read by the browser test: redraw latencies (ms) and the number of draws
  const hooks = { latencies: [], phases: [], draws: 0, ready: false, request: () => body() };
  window.kymsim = hooks;

  const t = () => UI[state.lang];
  const entry = () => state.cat.scenarios.find((s) => s.name === state.scenario);
  const measureName = (m) => (state.lang === 'fi' && m.name_fi) || m.name;
  const sectorName = (s) => (state.lang === 'fi' && s.name_fi) || s.name;
  // a carrier by id: its name in the page's language (the id when the data do not know it)
  const carrierName = (id) => {
    const c = id && state.cat.carriers && state.cat.carriers[id];
    return (c && ((state.lang === 'fi' && c.name_fi) || c.name)) || id || '?';
  };
  const body = () => ({ scenario: state.scenario, overrides: JSON.parse(JSON.stringify(state.overrides)) });
  const key = () => JSON.stringify(body());

  function fmt(x, digits = 1) {
    const p = 10 ** digits;
    let r = Math.round(x * p) / p;
    if (r === 0) r = 0; // no "−0"
    const s = new Intl.NumberFormat(state.lang === 'fi' ? 'fi-FI' : 'en-GB', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(r);
    return s.replace('-', '−');
  }
  const pct = (x, digits = 0) => `${fmt(x * 100, digits)} %`;

  function showError(msg) {
    const e = $('error');
    e.hidden = !msg;
    e.textContent = msg || '';
  }

  async function post(path, payload) {
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    if (!r.ok) {
      let msg = `${r.status}`;
      try { msg = (await r.json()).error; } catch (_) { /* not JSON */ }
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return r;
  }

  // ---------- measures ----------

  function valueText(m, v) {
    return m.unit === 'fraction' ? pct(v) : `${fmt(v, 0)} kt`;
  }

  function effectText(m) {
    const e = t().effect[m.kind];
    return typeof e === 'function' ? e(carrierName(m.from), carrierName(m.to)) : e;
  }

  function sliderOf(m) {
    // fractions on a 0–100 % scale in whole percent; removals in kt
    if (m.unit === 'fraction') return { min: 0, max: 100, step: 1, scale: 100 };
    const step = Math.max(1, Math.round(m.slider_max / 250));
    return { min: 0, max: m.slider_max, step, scale: 1 };
  }

  function current(m) {
    const o = state.overrides[m.id] || {};
    return {
      value: o.value !== undefined ? o.value : m.value,
      full: o.full !== undefined ? o.full : m.adoption.full,
    };
  }

  function setOverride(m, field, v) {
    const o = { ...(state.overrides[m.id] || {}) };
    const central = field === 'value' ? m.value : m.adoption.full;
    if (v === central) delete o[field];
    else o[field] = v;
    if (Object.keys(o).length) state.overrides[m.id] = o;
    else delete state.overrides[m.id];
  }

  function describe(m) {
    const parts = [`${effectText(m)}; ${t().central} ${valueText(m, m.value)}`];
    if (m.distribution) parts.push(t().uncertain(valueText(m, m.distribution.p5), valueText(m, m.distribution.p95)));
    if (m.cost_eur_per_t !== null) parts.push(t().costPer(fmt(m.cost_eur_per_t, 0)));
    return parts.join(' · ');
  }

  function syncMeasure(m) {
    const c = current(m);
    const v = $(`v-${m.id}`);
    const s = sliderOf(m);
    v.value = String(c.value * s.scale);
    v.setAttribute('aria-valuetext', valueText(m, c.value));
    $(`o-${m.id}`).textContent = valueText(m, c.value);
    const f = $(`f-${m.id}`);
    if (f) {
      f.value = String(c.full);
      f.setAttribute('aria-valuetext', String(Math.round(c.full)));
      $(`of-${m.id}`).textContent = String(Math.round(c.full * 100) / 100);
    }
    $(`m-${m.id}`).classList.toggle('changed', Boolean(state.overrides[m.id]));
  }

  function buildMeasures() {
    const box = $('measures');
    box.textContent = '';
    const sc = entry();
    for (const pillar of Object.keys(state.cat.pillars)) {
      const ms = sc.measures.filter((m) => m.pillar === pillar);
      if (!ms.length) continue;
      const fs = document.createElement('fieldset');
      const lg = document.createElement('legend');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = state.cat.pillars[pillar];
      sw.setAttribute('aria-hidden', 'true');
      lg.append(sw, document.createTextNode(t().pillars[pillar] || pillar));
      fs.append(lg);
      for (const m of ms) fs.append(measureRow(m));
      box.append(fs);
    }
    const ex = $('excluded');
    ex.textContent = sc.excluded.length
      ? t().excluded + sc.excluded.map((x) => `${x.name} (${x.reason})`).join('; ')
      : '';
  }

  function measureRow(m) {
    const div = document.createElement('div');
    div.className = 'measure';
    div.id = `m-${m.id}`;
    const head = document.createElement('div');
    head.className = 'm-head';
    const name = document.createElement('label');
    name.className = 'm-name';
    name.htmlFor = `v-${m.id}`;
    name.id = `n-${m.id}`;
    name.textContent = measureName(m);
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'reset';
    reset.textContent = '↺';
    reset.setAttribute('aria-label', t().reset(measureName(m)));
    reset.addEventListener('click', () => {
      delete state.overrides[m.id];
      syncMeasure(m);
      changed(performance.now());
    });
    head.append(name);
    // the state's and the EU's measures marked apart from the region's own
    div.dataset.owner = m.owner || '';
    if (!ownMeasure(m)) {
      div.classList.add('state-eu');
      const tag = document.createElement('span');
      tag.className = 'owner-tag';
      tag.textContent = t().stateEu;
      tag.title = t().owners[m.owner];
      head.append(tag);
    }
    head.append(reset);
    div.append(head);

    const s = sliderOf(m);
    const row = document.createElement('div');
    row.className = 'm-row';
    const lab = document.createElement('label');
    lab.htmlFor = `v-${m.id}`;
    lab.textContent = t().value;
    lab.setAttribute('aria-hidden', 'true');
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', id: `v-${m.id}`, min: s.min, max: s.max, step: s.step });
    input.setAttribute('aria-labelledby', `n-${m.id}`);
    input.setAttribute('aria-describedby', `d-${m.id}`);
    const out = document.createElement('output');
    out.id = `o-${m.id}`;
    out.htmlFor = input.id;
    input.addEventListener('input', (ev) => {
      setOverride(m, 'value', Number(input.value) / s.scale);
      changed(ev.timeStamp); // the request leaves before the page updates its own labels
      syncMeasure(m);
    });
    row.append(lab, input, out);
    div.append(row);

    if (m.adoption.full !== null && m.adoption.full !== undefined) {
      const row2 = document.createElement('div');
      row2.className = 'm-row';
      const l2 = document.createElement('label');
      l2.htmlFor = `f-${m.id}`;
      l2.textContent = t().full;
      const f = document.createElement('input');
      Object.assign(f, { type: 'range', id: `f-${m.id}`, min: m.adoption.full_min, max: m.adoption.full_max, step: 1 });
      f.setAttribute('aria-label', `${measureName(m)}: ${t().full}`);
      const o2 = document.createElement('output');
      o2.id = `of-${m.id}`;
      o2.htmlFor = f.id;
      f.addEventListener('input', (ev) => {
        setOverride(m, 'full', Number(f.value));
        changed(ev.timeStamp);
        syncMeasure(m);
      });
      row2.append(l2, f, o2);
      div.append(row2);
    }
    const d = document.createElement('p');
    d.className = 'm-desc';
    d.id = `d-${m.id}`;
    d.textContent = describe(m);
    d.title = m.description;
    div.append(d);
    setTimeout(() => syncMeasure(m));
    return div;
  }

  // ---------- requests ----------

  function changed(time) {
    state.seq += 1;
    state.inputTime = time;
    evaluate();
    scheduleSlow();
  }

  async function evaluate() {
    if (state.inflight) {
      state.pending = true;
      return;
    }
    state.inflight = true;
    const seq = state.seq;
    const started = state.inputTime;
    try {
      const sent = performance.now();
      const r = await post('/api/evaluate', body());
      const ev = await r.json();
      const received = performance.now();
      state.evaluation = ev;
      showError('');
      draw();
      const drawn = performance.now();
      if (seq === state.seq && started !== null) {
        // input → drawn, measured at the next animation frame (after layout)
        requestAnimationFrame(() => {
          const now = performance.now();
          hooks.latencies.push(now - started);
          hooks.phases.push({ wait: sent - started, request: received - sent, draw: drawn - received, frame: now - drawn });
        });
      }
    } catch (e) {
      showError(e.message);
    } finally {
      state.inflight = false;
      if (state.pending) {
        state.pending = false;
        evaluate();
      }
    }
  }

  function scheduleSlow() {
    clearTimeout(state.attrTimer);
    state.attrTimer = setTimeout(() => {
      // the address follows when the sliders rest: replaceState on every move delays the request
      hashSave();
      attribute();
      if ($('follow-batch').checked) runBatch();
    }, 250);
  }

  async function attribute() {
    const k = key();
    if (state.attribution.has(k)) {
      draw();
      return;
    }
    try {
      const r = await post('/api/evaluate', { ...body(), attribution: true });
      const ev = await r.json();
      state.attribution.set(k, ev.attribution);
      if (state.attribution.size > 64) state.attribution.delete(state.attribution.keys().next().value);
      if (k === key()) draw();
    } catch (e) {
      if (e.status !== 429) showError(e.message);
    }
  }

  async function runBatch() {
    if (state.batchRunning) return;
    const k = key();
    if (state.batchKey === k) return;
    state.batchRunning = true;
    const btn = $('run-batch');
    btn.disabled = true;
    btn.textContent = t().running;
    try {
      const r = await post('/api/batch', { ...body(), samples: state.cat.limits.default_batch_samples });
      state.batch = await r.json();
      state.batchKey = k;
      showError('');
    } catch (e) {
      showError(e.message);
    } finally {
      state.batchRunning = false;
      btn.disabled = false;
      labelBatch();
      draw();
    }
  }

  // ---------- drawing ----------

  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.append(e);
    return e;
  }

  function text(parent, x, y, s, attrs) {
    const e = el('text', { x, y, ...(attrs || {}) }, parent);
    e.textContent = s;
    return e;
  }

  function ticks(lo, hi, n) {
    const span = hi - lo || 1;
    const raw = span / n;
    const p = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * p).find((v) => v >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step);
    return out;
  }

  // a frame with a time axis and a kt axis; returns scales
  function frame(svg, lo, hi, legendWidth) {
    svg.textContent = '';
    const vb = svg.viewBox.baseVal;
    const W = vb.width;
    const H = vb.height;
    const m = { l: 58, r: 14 + legendWidth, t: 12, b: 28 };
    const years = state.cat.years;
    const x0 = years[0];
    const x1 = years[years.length - 1];
    const pad = (hi - lo) * 0.05 || 10;
    const ys = ticks(lo - pad, hi + pad, 6);
    const ylo = Math.min(lo - pad, ys[0]);
    const yhi = Math.max(hi + pad, ys[ys.length - 1]);
    const X = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
    const Y = (v) => m.t + ((yhi - v) / (yhi - ylo)) * (H - m.t - m.b);
    for (const v of ys) {
      if (v < ylo || v > yhi) continue;
      el('line', { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v), class: 'grid' }, svg);
      text(svg, m.l - 6, Y(v) + 4, fmt(v, 0), { 'text-anchor': 'end', class: 'tick' });
    }
    for (const v of ticks(x0, x1, 8)) {
      text(svg, X(v), H - 10, String(v), { 'text-anchor': 'middle', class: 'tick' });
    }
    el('line', { x1: m.l, x2: W - m.r, y1: Y(0), y2: Y(0), class: 'axis' }, svg);
    return { X, Y, W, H, m, years };
  }

  const path = (xs, ys, X, Y) => xs.map((x, i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(ys[i]).toFixed(1)}`).join('');

  function legend(svg, f, items) {
    let y = f.m.t + 8;
    const x = f.W - f.m.r + 14;
    for (const it of items) {
      if (it.kind === 'area') el('rect', { x, y: y - 8, width: 14, height: 10, fill: it.color, opacity: it.opacity || 1 }, svg);
      else if (it.kind === 'ring') el('circle', { cx: x + 7, cy: y - 3, r: 5, fill: 'none', stroke: it.color, 'stroke-width': 2 }, svg);
      else el('line', { x1: x, x2: x + 14, y1: y - 3, y2: y - 3, stroke: it.color, 'stroke-width': it.width || 2, 'stroke-dasharray': it.dash || '' }, svg);
      const label = it.label.length > 26 ? `${it.label.slice(0, 25)}…` : it.label;
      const tx = text(svg, x + 20, y + 1, label);
      if (it.label !== label) el('title', {}, tx).textContent = it.label;
      y += 17;
    }
  }

  function drawNet() {
    const ev = state.evaluation;
    const cat = state.cat;
    const sc = entry();
    const svg = $('chart-net');
    const years = cat.years;
    const lines = [];
    lines.push({ label: t().explored, v: ev.series.net_kt, color: sc.color, width: 3 });
    if (Object.keys(state.overrides).length) lines.push({ label: t().asWritten(sc.name), v: sc.net_kt, color: sc.color, width: 1.5, dash: '6 4' });
    const ref = cat.scenarios.find((s) => s.name === state.reference);
    if (ref && ref.name !== sc.name) lines.push({ label: ref.name, v: ref.net_kt, color: ref.color, width: 1.5, dash: '2 3' });
    const fan = state.batch && state.batchKey !== null ? state.batch.fan : null;
    const all = lines.flatMap((l) => l.v).concat(fan ? fan.p5.concat(fan.p95) : [], [0]);
    const f = frame(svg, Math.min(...all), Math.max(...all), 200);
    const items = [];
    if (fan) {
      const stale = state.batchKey !== key();
      const g = el('g', stale ? { class: 'stale' } : {}, svg);
      const band = (lo, hi, op) => {
        const d = path(years, hi, f.X, f.Y) + years.slice().reverse().map((x, i) => `L${f.X(x).toFixed(1)},${f.Y(lo[years.length - 1 - i]).toFixed(1)}`).join('') + 'Z';
        el('path', { d, fill: sc.color, opacity: op }, g);
      };
      band(fan.p5, fan.p95, 0.15);
      band(fan.p25, fan.p75, 0.25);
      items.push({ kind: 'area', color: sc.color, opacity: 0.3, label: t().fan });
    }
    for (const l of lines.slice().reverse()) {
      el('path', { d: path(years, l.v, f.X, f.Y), fill: 'none', stroke: l.color, 'stroke-width': l.width, 'stroke-dasharray': l.dash || '' }, svg);
    }
    for (const l of lines) items.push({ color: l.color, width: l.width, dash: l.dash, label: l.label });
    const ty = cat.target.year;
    el('line', { x1: f.X(ty), x2: f.X(ty), y1: f.m.t, y2: f.H - f.m.b, stroke: '#b2182b', 'stroke-dasharray': '3 3', 'stroke-width': 1 }, svg);
    el('circle', { cx: f.X(ty), cy: f.Y(0), r: 6, fill: 'none', stroke: '#b2182b', 'stroke-width': 2.5 }, svg);
    items.push({ kind: 'ring', color: '#b2182b', label: `${t().target} ${ty}` });
    legend(svg, f, items);
    svg.setAttribute('aria-label', t().chartNet(sc.name, fmt(ev.summary.net_kt), ty));
  }

  function drawSectors() {
    const ev = state.evaluation;
    const svg = $('chart-sectors');
    const years = state.cat.years;
    const n = years.length;
    const order = (arr) => arr.slice().sort((a, b) => b.kt[0] - a.kt[0]);
    const gross = order(ev.sectors);
    const rem = order(ev.removal_sectors);
    const top = ev.series.gross_kt.map((v, i) => Math.max(v, gross.reduce((s, g) => s + Math.max(0, g.kt[i]), 0)));
    const bottom = ev.series.removals_kt.map((v) => -Math.abs(v));
    const limit = state.cat.target.gross_limit_kt;
    const f = frame(svg, Math.min(0, ...bottom, ...ev.series.net_kt), Math.max(...top, limit || 0), 200);
    const stack = (series, sign) => {
      let base = new Array(n).fill(0);
      const items = [];
      for (const s of series) {
        const next = base.map((b, i) => b + sign * s.kt[i]);
        const d = path(years, next, f.X, f.Y) + years.slice().reverse().map((x, i) => `L${f.X(x).toFixed(1)},${f.Y(base[n - 1 - i]).toFixed(1)}`).join('') + 'Z';
        el('path', { d, fill: s.color, stroke: '#fff', 'stroke-width': 0.5 }, svg);
        items.push({ kind: 'area', color: s.color, label: sectorName(s) });
        base = next;
      }
      return items;
    };
    const items = stack(gross, 1).reverse().concat(stack(rem, -1));
    el('path', { d: path(years, ev.series.net_kt, f.X, f.Y), fill: 'none', stroke: '#222', 'stroke-width': 2.5 }, svg);
    items.push({ color: '#222', width: 2.5, label: t().netLine });
    if (limit) {
      el('line', { x1: f.m.l, x2: f.W - f.m.r, y1: f.Y(limit), y2: f.Y(limit), stroke: '#b2182b', 'stroke-dasharray': '6 4', 'stroke-width': 1.5 }, svg);
      items.push({ color: '#b2182b', dash: '6 4', width: 1.5, label: `${t().grossLimit} ${fmt(limit, 0)} kt` });
    }
    legend(svg, f, items);
    svg.setAttribute('aria-label', t().chartSectors);
  }

  function drawWedges() {
    const svg = $('chart-wedges');
    const sc = entry();
    const a = state.attribution.get(key());
    const ty = state.cat.target.year;
    const ti = state.cat.years.indexOf(ty);
    const method = a ? (a.method === 'exact' ? t().exact : t().sampled(a.permutations)) : t().computing;
    $('cap-wedges').textContent = t().capWedges(ty, method);
    // while computing, the last attribution drawn stays, faded
    const shown = a || state.lastAttribution;
    svg.classList.toggle('stale', !a);
    if (!shown) {
      svg.textContent = '';
      return;
    }
    state.lastAttribution = shown;
    svg.textContent = '';
    const byId = new Map(sc.measures.map((m) => [m.id, m]));
    const rows = shown.measures
      .filter((w) => byId.has(w.id))
      .map((w) => ({ m: byId.get(w.id), v: w.kt[ti] }))
      .sort((p, q) => Math.abs(q.v) - Math.abs(p.v));
    const MAX = 14;
    // the state's and the EU's measures pale and marked, apart from the region's own
    let bars = rows.slice(0, MAX).map((r) => ({
      label: ownMeasure(r.m) ? measureName(r.m) : `${measureName(r.m)} (${t().stateEu})`,
      v: r.v,
      color: state.cat.pillars[r.m.pillar],
      own: ownMeasure(r.m),
      id: r.m.id,
    }));
    if (rows.length > MAX) {
      const rest = rows.slice(MAX);
      bars.push({ label: t().others(rest.length), v: rest.reduce((s, r) => s + r.v, 0), color: '#999' });
    }
    bars = bars.filter((b) => b.v !== 0 || rows.length <= MAX);
    const W = 820;
    const rowH = 23;
    const top = 8;
    const labelW = 320;
    const H = top + bars.length * rowH + 28;
    svg.setAttribute('viewBox', `0 0 ${W} ${Math.max(H, 80)}`);
    const lo = Math.min(0, ...bars.map((b) => b.v));
    const hi = Math.max(0, ...bars.map((b) => b.v));
    const X = (v) => labelW + ((v - lo) / (hi - lo || 1)) * (W - labelW - 80);
    for (const v of ticks(lo, hi, 6)) {
      el('line', { x1: X(v), x2: X(v), y1: top, y2: H - 24, class: 'grid' }, svg);
      text(svg, X(v), H - 8, fmt(v, 0), { 'text-anchor': 'middle', class: 'tick' });
    }
    bars.forEach((b, i) => {
      const y = top + i * rowH;
      const label = b.label.length > 44 ? `${b.label.slice(0, 43)}…` : b.label;
      const tx = text(svg, labelW - 8, y + 15, label, { 'text-anchor': 'end' });
      if (label !== b.label) el('title', {}, tx).textContent = b.label;
      const x0 = X(Math.min(0, b.v));
      const bar = { x: x0, y: y + 3, width: Math.max(1, Math.abs(X(b.v) - X(0))), height: rowH - 7, fill: b.color, 'fill-opacity': b.own === false ? 0.3 : 1, class: b.own === false ? 'state-eu' : 'own' };
      if (b.id) bar['data-measure'] = b.id;
      el('rect', bar, svg);
      text(svg, X(Math.max(0, b.v)) + 5, y + 15, fmt(b.v), { class: 'tick' });
    });
    el('line', { x1: X(0), x2: X(0), y1: top, y2: H - 24, class: 'axis' }, svg);
    svg.setAttribute('aria-label', `${t().chartWedges}: ${bars.slice(0, 5).map((b) => `${b.label} ${fmt(b.v)} kt`).join(', ')}`);
  }

  // whether the region itself (council or municipalities) takes a measure; one that names no
  // owner counts as the region's, as in the report
  function ownMeasure(m) {
    return m.owner !== 'national' && m.owner !== 'eu';
  }

  function figure(dl, label, value, attrs) {
    const d = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    for (const [k, v] of Object.entries(attrs || {})) dd.setAttribute(k, v);
    d.append(dt, dd);
    dl.append(d);
    return dd;
  }

  function drawVerdict() {
    const ev = state.evaluation;
    const s = ev.summary;
    const y = s.target_year;
    const v = $('verdict');
    v.className = s.target_met ? 'met' : 'missed';
    const main = $('verdict-main');
    main.textContent = s.target_met ? t().met(y) : t().missed(y);
    main.dataset.met = String(s.target_met);
    const dl = $('figures');
    dl.textContent = '';
    figure(dl, t().net(y), `${fmt(s.net_kt)} kt`, { id: 'net-kt', 'data-value': String(s.net_kt), class: s.net_zero_met === false ? 'no' : 'ok' });
    if (s.gross_limit_kt !== null) {
      figure(dl, t().gross(y), `${fmt(s.gross_kt)} / ${fmt(s.gross_limit_kt)} kt`, { id: 'gross-kt', 'data-value': String(s.gross_kt), class: s.gross_met ? 'ok' : 'no' });
    }
    figure(dl, t().removals(y), `${fmt(s.removals_kt)} kt`);
    figure(dl, t().neutral, s.neutrality_year === null ? t().never : String(s.neutrality_year), { id: 'neutrality-year' });
    figure(dl, t().vsRef(state.cat.target.reference_year), pct(-s.reduction_vs_reference, 1));
    for (const m of ev.milestones) {
      figure(dl, t().milestone(m.year), `${fmt(m.gross_kt)} / ${fmt(m.gross_limit_kt)} kt`, { class: m.met ? 'ok' : 'no' });
    }
    const a = state.attribution.get(key());
    figure(dl, t().cost, a ? `${fmt(a.annual_cost_meur)} ${t().meurYear}` : t().computing, { id: 'annual-cost' });
    if (a) {
      // the region's own share of the cost: its council's and municipalities' measures
      const own = new Set(entry().measures.filter(ownMeasure).map((m) => m.id));
      const meur = a.measures.filter((w) => own.has(w.id)).reduce((s2, w) => s2 + (w.annual_cost_meur || 0), 0);
      figure(dl, t().ownCost, `${fmt(meur)} ${t().meurYear}`, { id: 'own-cost', 'data-value': String(meur) });
    }
  }

  function drawBatch() {
    const p = $('batch-result');
    const b = state.batch;
    if (!b) {
      p.textContent = '';
      return;
    }
    const y = state.cat.target.year;
    let s = t().batchResult(pct(b.p_target_met, 1), fmt(b.samples, 0), fmt(b.net_kt_p5, 0), fmt(b.net_kt_p95, 0), y);
    if (state.batchKey !== key()) s += ` — ${t().batchStale}`;
    p.textContent = s;
  }

  function draw() {
    if (!state.evaluation) return;
    drawVerdict();
    drawNet();
    drawSectors();
    drawWedges();
    drawBatch();
    hooks.draws += 1;
  }

  // ---------- page ----------

  function labelBatch() {
    if (!state.batchRunning) $('run-batch').textContent = t().runBatch(fmt(state.cat.limits.default_batch_samples, 0));
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    for (const e of document.querySelectorAll('[data-i18n]')) {
      const v = t()[e.dataset.i18n];
      if (typeof v === 'string') e.textContent = v;
    }
    $('lang-fi').setAttribute('aria-pressed', String(state.lang === 'fi'));
    $('lang-en').setAttribute('aria-pressed', String(state.lang === 'en'));
    const cat = state.cat;
    $('title').textContent = t().title(cat.region.name, cat.target.year);
    document.title = `kymsim — ${cat.region.name}`;
    $('cap-net').textContent = t().capNet(cat.target.year);
    $('cap-sectors').textContent = t().capSectors;
    fillReference();
    labelBatch();
    buildMeasures();
    draw();
  }

  function fillReference() {
    const sel = $('reference');
    sel.textContent = '';
    const none = new Option(t().none, '');
    sel.append(none);
    for (const s of state.cat.scenarios) sel.append(new Option(s.name, s.name));
    sel.value = state.reference || '';
  }

  function hashSave() {
    const o = Object.keys(state.overrides).length ? `&o=${encodeURIComponent(JSON.stringify(state.overrides))}` : '';
    history.replaceState(null, '', `#s=${encodeURIComponent(state.scenario)}&lang=${state.lang}${o}`);
  }

  function hashLoad() {
    const h = new URLSearchParams(location.hash.slice(1));
    const s = h.get('s');
    if (s && state.cat.scenarios.some((x) => x.name === s)) state.scenario = s;
    if (h.get('lang') === 'fi' || h.get('lang') === 'en') state.lang = h.get('lang');
    try {
      const o = JSON.parse(h.get('o') || '{}');
      const ids = new Set(entry().measures.map((m) => m.id));
      for (const [id, v] of Object.entries(o)) if (ids.has(id)) state.overrides[id] = v;
    } catch (_) { /* ignore a damaged link */ }
  }

  function pickScenario(name) {
    state.scenario = name;
    state.overrides = {};
    state.lastAttribution = null;
    $('description').textContent = entry().description;
    buildMeasures();
    changed(null);
  }

  async function init() {
    const r = await fetch('/api/scenarios');
    state.cat = await r.json();
    const cat = state.cat;
    state.scenario = cat.default;
    state.reference = cat.reference;
    if (!navigator.language || navigator.language.startsWith('fi')) state.lang = 'fi';
    hashLoad();
    const sel = $('scenario');
    for (const s of cat.scenarios) sel.append(new Option(s.name, s.name));
    sel.value = state.scenario;
    sel.addEventListener('change', () => pickScenario(sel.value));
    $('reference').addEventListener('change', (e) => {
      state.reference = e.target.value || null;
      draw();
    });
    $('reset-all').addEventListener('click', () => {
      state.overrides = {};
      for (const m of entry().measures) syncMeasure(m);
      changed(performance.now());
    });
    $('lang-fi').addEventListener('click', () => { state.lang = 'fi'; hashSave(); applyLanguage(); });
    $('lang-en').addEventListener('click', () => { state.lang = 'en'; hashSave(); applyLanguage(); });
    $('run-batch').addEventListener('click', () => { state.batchKey = null; runBatch(); });
    $('export').addEventListener('click', exportToml);
    $('description').textContent = entry().description;
    applyLanguage();
    state.inputTime = null;
    await evaluate();
    scheduleSlow();
    hooks.ready = true;
  }

  async function exportToml() {
    try {
      const r = await post('/api/export', body());
      const text = await r.text();
      const cd = r.headers.get('Content-Disposition') || '';
      const m = cd.match(/filename="([^"]+)"/);
      const file = m ? m[1] : 'scenario.toml';
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'application/toml' }));
      a.download = file;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      $('export-note').textContent = t().exported(file);
    } catch (e) {
      showError(e.message);
    }
  }

  init().catch((e) => showError(String(e)));
})();
