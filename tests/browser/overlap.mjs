// Opens every SVG chart named on the command line in Debian's Chromium (playwright-core, one
// browser, one page reused) and prints, as JSON on stdout, every pair of <text> elements whose
// rendered boxes (getBoundingClientRect, transforms applied) overlap by more than TOLERANCE px
// both across and down, for tests/chart_overlap.rs to check.
//
//   node overlap.mjs FILE.svg…
import { chromium } from 'playwright-core';

const TOLERANCE = 1;
const files = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const out = { charts: 0, texts: 0, overlaps: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  for (const file of files) {
    await page.goto(`file://${file}`);
    const found = await page.evaluate((tol) => {
      const boxes = [...document.querySelectorAll('text')]
        .filter((t) => t.textContent.trim() !== '')
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent, box: [r.left, r.top, r.right, r.bottom].map((v) => Math.round(v * 10) / 10) };
        })
        .filter((b) => b.box[2] > b.box[0] && b.box[3] > b.box[1]);
      const pairs = [];
      for (let i = 0; i < boxes.length; i += 1) {
        for (let j = i + 1; j < boxes.length; j += 1) {
          const [a, b] = [boxes[i].box, boxes[j].box];
          const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
          const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
          if (w > tol && h > tol) pairs.push([boxes[i], boxes[j]]);
        }
      }
      return { n: boxes.length, pairs };
    }, TOLERANCE);
    out.charts += 1;
    out.texts += found.n;
    for (const [a, b] of found.pairs) out.overlaps.push({ chart: file, a, b });
  }
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
