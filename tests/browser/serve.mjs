// Drives the `kymsim serve` page in Debian's Chromium (playwright-core, no downloaded browser):
// loads neutral2040, moves one slider by keyboard, records the slider-to-redraw latencies, reads
// how the region's own measures are told apart from the state's and the EU's, and prints what
// the page shows as JSON on stdout for tests/serve_browser.rs to check.
//
//   node serve.mjs URL [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';

const [url, shots] = process.argv.slice(2);
const MEASURE = 'forest_carbon_management';
const PRESSES = 40;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const out = { consoleErrors: [], requests: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'en-GB' });
  page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => out.consoleErrors.push(String(e)));
  page.on('request', (r) => out.requests.push(r.url()));
  await page.goto(`${url}#s=neutral2040&lang=en`);
  await page.waitForFunction(() => window.kymsim && window.kymsim.ready);
  const shown = async () => page.evaluate(() => ({
    met: document.getElementById('verdict-main').dataset.met === 'true',
    verdict: document.getElementById('verdict-main').textContent,
    net: Number(document.getElementById('net-kt').dataset.value),
    netText: document.getElementById('net-kt').textContent,
    neutrality: document.getElementById('neutrality-year').textContent,
    request: window.kymsim.request(),
  }));
  out.before = await shown();

  // by keyboard: from the measure's reset button, Tab reaches its slider; then keys
  await page.locator(`#m-${MEASURE} .reset`).focus();
  await page.keyboard.press('Tab');
  out.tabbed = await page.evaluate(() => document.activeElement.id);
  out.label = await page.evaluate((id) => {
    const e = document.getElementById(`v-${id}`);
    const by = e.getAttribute('aria-labelledby');
    return { name: document.getElementById(by).textContent, valuetext: e.getAttribute('aria-valuetext') };
  }, MEASURE);
  const press = async (key) => {
    const n = await page.evaluate(() => window.kymsim.latencies.length);
    await page.keyboard.press(key);
    await page.waitForFunction((k) => window.kymsim.latencies.length > k, n);
  };
  await press('Home');
  for (let i = 0; i < PRESSES; i += 1) await press('ArrowRight');
  // the attribution follows when the sliders rest
  await page.waitForFunction(() => !document.getElementById('annual-cost').textContent.includes('…'));
  out.after = await shown();
  // the region's own measures apart from the state's and the EU's: in the measure list, in the
  // bars of the attribution, and in the own-cost line
  const owners = async () => page.evaluate(() => {
    const own = document.getElementById('own-cost');
    const full = (e) => (e.querySelector('title') || e).textContent;
    return {
      ownCost: own && { value: Number(own.dataset.value), text: own.textContent },
      annualCost: document.getElementById('annual-cost').textContent,
      measures: [...document.querySelectorAll('#measures .measure')].map((d) => ({
        id: d.id.slice(2),
        owner: d.dataset.owner,
        marked: d.classList.contains('state-eu'),
        tag: d.querySelector('.owner-tag') ? d.querySelector('.owner-tag').textContent : null,
      })),
      bars: [...document.querySelectorAll('#chart-wedges rect[data-measure]')].map((r) => ({
        id: r.dataset.measure,
        stateEu: r.classList.contains('state-eu'),
        label: full(r.previousElementSibling),
      })),
    };
  });
  out.owners = await owners();
  out.latencies = await page.evaluate(() => window.kymsim.latencies.slice());
  out.phases = await page.evaluate(() => window.kymsim.phases.slice());
  if (shots) {
    await page.screenshot({ path: `${shots}/explorer.png`, fullPage: false });
    await page.locator('#chart-wedges').screenshot({ path: `${shots}/explorer-wedges.png` });
  }

  // uncertainty on demand, sliders still usable meanwhile
  await page.click('#run-batch');
  await page.waitForFunction(() => document.getElementById('batch-result').textContent.includes('P(target met)'));
  out.batch = await page.evaluate(() => document.getElementById('batch-result').textContent);

  // in Finnish
  await page.click('#lang-fi');
  out.fi = await shown();
  out.fiLang = await page.evaluate(() => document.documentElement.lang);
  out.fiOwners = await owners();
  if (shots) {
    await page.screenshot({ path: `${shots}/explorer-fi.png`, fullPage: false });
  }
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
