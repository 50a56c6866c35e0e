// Browser flow of issue 16, the work briefing 工作简报: the community admin generates the briefing of
// 2024-01-01..10-15 for 南关社区, finds the seed report's figures in it, follows three of them to the
// records they count, publishes it, prints it on A4 and downloads the Word file; the briefing reads
// on a phone without sideways scrolling.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, desktop, phone, signIn, shot, overflow } from '../lib/browser.js';

let server;
let browser;

before(async () => {
  server = await start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the seed report is regenerated as a briefing whose figures open their records', async () => {
  const admin = await context(browser, server, desktop);
  const page = await admin.newPage();
  await signIn(page, 'admin');
  await page.goto('/briefings');
  await page.selectOption('select[name="region"]', { label: '南关社区' });
  await page.fill('input[name="from"]', '2024-01-01');
  await page.fill('input[name="to"]', '2024-10-15');
  await Promise.all([page.waitForURL(/\/briefings\/\d+$/), page.click('form.briefing-generate > button[type="submit"]')]);
  const briefingPath = new URL(page.url()).pathname;
  const text = await page.innerText('article.briefing');
  for (const want of ['南关社区工作简报', '基本情况', '主要做法', '存在问题', '下一步']) {
    assert.ok(text.includes(want), `the briefing lacks ${want}`);
  }
  const fig = (ref) => page.locator(`article.briefing a.fig[data-ref="${ref}"]`).first();
  const seed = { 'cases.hotline_handled': '153', 'mediation.agreements': '78', 'cobuild.needs': '21', 'cases.practical_matters': '68',
    'party.liaison_households': '96', 'activities.featured_series': '7' };
  for (const [ref, value] of Object.entries(seed)) {
    assert.equal((await fig(ref).innerText()).trim(), value, `${ref} in the briefing`);
    assert.ok((await fig(ref).getAttribute('title')).length > 4, `${ref} has its definition on hover`);
  }
  await shot(page, 'briefing-desktop');

  // Three figures opened: each list holds what the figure counts.
  for (const ref of ['cases.hotline_handled', 'mediation.agreements', 'cobuild.needs']) {
    const href = await fig(ref).getAttribute('href');
    const resp = await page.goto(href);
    assert.equal(resp.status(), 200, `${ref} → ${href}`);
    assert.match(await page.innerText('main'), new RegExp(`(^|\\D)${seed[ref]}(\\D|$)`), `${href} does not show the ${seed[ref]} records it counts`);
    await page.goto(briefingPath);
  }

  // Publishing numbers it and freezes it.
  await Promise.all([page.waitForURL(briefingPath), page.click(`form[action="${briefingPath}/publish"] button`)]);
  assert.match(await page.innerText('main'), /简报已发布/);
  assert.match(await page.innerText('.masthead'), /2024年第\d+期/);
  assert.equal(await page.locator(`a[href="${briefingPath}/edit"]`).count(), 0, 'a published briefing offers no editing');

  const docx = await page.request.get(`${briefingPath}/briefing.docx`);
  assert.equal(docx.status(), 200);
  assert.match(docx.headers()['content-type'], /wordprocessingml/);
  assert.equal((await docx.body()).subarray(0, 2).toString(), 'PK', 'the Word file is a zip package');

  const printed = await page.goto(`${briefingPath}/print`);
  assert.equal(printed.status(), 200);
  assert.match(await page.innerText('article.briefing'), /南关社区工作简报[\s\S]*153/);
  const chart = page.locator(`figure.chart-image img[src="${briefingPath}/chart.png"]`);
  await chart.scrollIntoViewIfNeeded();
  assert.ok(await chart.evaluate((el) => el.complete && el.naturalWidth > 0), 'the community prints its hotline categories as a chart');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top, .toolbar').filter({ visible: true }).count(), 0, 'the print page shows no menu');
  await shot(page, 'briefing-print');
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  assert.ok(pdf.length > 10_000, 'the print page prints to a PDF');
  assert.deepEqual(admin.pageErrors, []);
  await admin.close();

  const mobile = await context(browser, server, phone);
  const ppage = await mobile.newPage();
  await signIn(ppage, 'admin');
  for (const path of ['/briefings', briefingPath]) {
    await ppage.goto(path);
    assert.deepEqual(await overflow(ppage), [], `${path} is wider than the phone`);
  }
  await shot(ppage, 'briefing-phone');
  await mobile.close();
});

test('a street briefing prints its comparison as a chart image with its legend', async () => {
  const street = await context(browser, server, desktop);
  const page = await street.newPage();
  await signIn(page, 'street');
  await page.goto('/briefings');
  await page.selectOption('select[name="region"]', { label: '南街街道' });
  await page.fill('input[name="from"]', '2024-01-01');
  await page.fill('input[name="to"]', '2024-12-31');
  await Promise.all([page.waitForURL(/\/briefings\/\d+$/), page.click('form.briefing-generate > button[type="submit"]')]);
  const briefingPath = new URL(page.url()).pathname;

  await page.goto(`${briefingPath}/print`);
  const img = page.locator(`figure.chart-image img[src="${briefingPath}/chart.png"]`);
  await img.scrollIntoViewIfNeeded();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the chart image loads');
  assert.match(await page.innerText('figure.chart-image figcaption'), /\d+ 南关社区/, 'the legend names the regions by number');
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'briefing-street-print');
  assert.deepEqual(street.pageErrors, []);
  await street.close();
});
