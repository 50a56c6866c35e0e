// Each role lands on its work, on a phone and on a desktop: the grid worker on today, the community
// admin on the case queues, the street leader on the comparison of its communities, the auditor on
// the log. The phone queue is a list of cards with counted tabs and folded filters.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, shot, overflow, reportIn } from '../lib/browser.js';

let server;
let browser;
const wide = { viewport: { width: 1440, height: 900 } };

before(async () => {
  server = await start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const landings = [
  ['grid01', '/today', '今日工作'],
  ['worker01', '/today', '今日工作'],
  ['admin', '/', '待办工作'],
  // The street's two smaller neighbours of Nanguan have their own admin and grid leaders.
  ['xiguan-admin', '/', '待办工作'],
  ['cangmen-grid01', '/today', '今日工作'],
  ['street', '/', '各社区对比'],
  ['district', '/', '各街道对比'],
  ['auditor', '/audit', '审计'],
  ['security', '/admin/users', '账号'],
];

for (const [user, path, heading] of landings) {
  test(`${user} lands on ${path} on a phone, and the page fits`, async () => {
    const ctx = await context(browser, server, phone);
    const page = await ctx.newPage();
    await signIn(page, user);
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, path);
    assert.match(await page.textContent('main'), new RegExp(heading));
    assert.deepEqual(await overflow(page), [], `${user}'s landing page is wider than the phone`);
    await shot(page, `roles-${user}-phone`, { fullPage: false });
    assert.ok(await page.locator('header .bell').isVisible(), 'the bell is in the header');
    // The menu is a button with its state.
    const menu = page.locator('header .nav-button');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    assert.ok(await page.locator('#main-nav a').first().isVisible(), 'the menu opens');
    assert.deepEqual(ctx.pageErrors, []);
    await ctx.close();
  });
}

test('the street leader downloads the comparison of the period chosen as .xlsx', async () => {
  const ctx = await context(browser, server, wide);
  const page = await ctx.newPage();
  await signIn(page, 'street');
  await page.goto('/?from=2026-01-01&to=2026-11-30');
  const link = page.locator('a:has-text("导出Excel")');
  assert.equal(await link.getAttribute('href'), '/compare.xlsx?from=2026-01-01&to=2026-11-30', 'the export carries the period shown');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /各社区对比_2026-01-01至2026-11-30\.xlsx$/);
  await shot(page, 'roles-street-compare-desktop', { fullPage: false });
  await ctx.close();
});

test('the street leader compares the three communities of 南街街道 on a desktop, each with figures of its own', async () => {
  const ctx = await context(browser, server, wide);
  const page = await ctx.newPage();
  await signIn(page, 'street');
  await page.goto('/');
  const table = page.locator('table.region-table').first();
  const names = await table.locator('tbody th[scope="row"]').allTextContents();
  assert.deepEqual(names.map((n) => n.trim()).sort(), ['仓门社区', '南关社区', '西关社区']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()).join('|')));
  assert.equal(new Set(rows).size, 3, `the communities' figures differ: ${rows.join(' / ')}`);
  assert.deepEqual(await overflow(page), [], 'the comparison fits the desktop');
  await shot(page, 'roles-street-comparison-desktop', { fullPage: false });
  await ctx.close();
});

test('the street leader is not offered 记录走访 on the today page', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'street');
  await page.goto('/today');
  assert.equal(await page.locator('a[href^="/visits/new"]').count(), 0);
  await ctx.close();
});

test('the phone queue: counted tabs that scroll, filters behind one button, cases as cards', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'admin');
  await page.goto('/cases');
  const tabs = await page.locator('nav.tabs a').allTextContents();
  for (const label of ['待受理', '待回访', '已超时', '督办件']) {
    assert.ok(tabs.some((t) => new RegExp(`${label}\\s*\\d+`).test(t)), `tab ${label} with its count: ${tabs}`);
  }
  assert.equal(await page.locator('form.filters').isVisible(), false, 'the filters are folded');
  const firstCard = await page.locator('table.case-list tbody tr').first().boundingBox();
  assert.ok(firstCard.y < 400, `the first case starts ${firstCard.y}px down`);
  assert.ok(firstCard.width <= 390, 'a case is a card as wide as the screen at most');
  assert.deepEqual(await overflow(page), []);
  await shot(page, 'roles-cases-phone', { fullPage: false });
  await page.click('details.filter-fold > summary');
  assert.ok(await page.locator('form.filters').isVisible(), 'the button opens the filters');
  await page.locator('nav.tabs a', { hasText: '督办件' }).scrollIntoViewIfNeeded();
  await Promise.all([page.waitForURL(/queue=supervised/), page.locator('nav.tabs a', { hasText: '督办件' }).click()]);
  await ctx.close();
});

test('the desktop queue shows every column whole at 1440 px', async () => {
  const ctx = await context(browser, server, wide);
  const page = await ctx.newPage();
  await signIn(page, 'admin');
  await page.goto('/cases');
  assert.ok(await page.locator('form.filters').isVisible(), 'the filters are open on a desktop');
  const cut = await page.evaluate(() => {
    const box = document.querySelector('.table-wrap');
    return box.scrollWidth > box.clientWidth + 1;
  });
  assert.equal(cut, false, 'the case table is wider than its box');
  await shot(page, 'roles-cases-desktop', { fullPage: false });
  await page.goto('/');
  await shot(page, 'roles-admin-desktop', { fullPage: false });
  await ctx.close();
});

test('on a phone the residents, households and visits lists are cards, and 一人一档 gathers a resident\'s records', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'grid01');
  for (const [path, name] of [['/residents', 'residents'], ['/households', 'households'], ['/visits', 'visits']]) {
    await page.goto(path);
    assert.equal(await page.locator('table.cards thead').isVisible(), true, `${path}: the header stays for screen readers`);
    const row = await page.locator('table.cards tbody tr').first().boundingBox();
    assert.ok(row.width <= 390 && row.height > 60, `${path}: a row is a card (${row.width}×${row.height})`);
    assert.deepEqual(await overflow(page), [], `${path} is wider than the phone`);
    await shot(page, `roles-${name}-phone`, { fullPage: false });
  }
  await page.goto('/visits');
  const visit = await page.locator('table.cards tbody tr td a[href^="/visits/"]').first().getAttribute('href');
  await page.goto(visit);
  const met = page.locator('main a[href^="/residents/"]');
  if (await met.count() > 0) {
    await page.goto(await met.first().getAttribute('href'));
    assert.ok(await page.locator(`section.related a[href="${visit}"]`).count() > 0, 'the resident\'s page links back to the visit');
  } else {
    await page.goto('/residents');
    await page.goto(await page.locator('table.cards tbody tr td a[href^="/residents/"]').first().getAttribute('href'));
  }
  assert.match(await page.textContent('main'), /走访记录\s*\d+ 条/);
  await shot(page, 'roles-resident-phone');
  await ctx.close();
});

test('on a phone the residents\' filters fold behind one button that counts those chosen', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'admin');
  await page.goto('/residents');
  const summary = page.locator('details.filter-fold > summary');
  assert.equal(await page.locator('form.filters').isVisible(), false, 'the filters are folded');
  assert.equal((await summary.textContent()).trim(), '筛选', 'no filter is counted before one is chosen');
  const firstCard = await page.locator('table.cards tbody tr').first().boundingBox();
  assert.ok(firstCard.y < 400, `the first resident starts ${firstCard.y}px down`);
  await summary.click();
  assert.ok(await page.locator('form.filters').isVisible(), 'the button opens the filters');
  await page.selectOption('form.filters select[name="tag"]', 'elderly_alone');
  await shot(page, 'roles-residents-filters-open-phone', { fullPage: false });
  await Promise.all([page.waitForURL(/tag=elderly_alone/), page.click('form.filters button[type="submit"]')]);
  assert.equal((await summary.textContent()).trim(), '筛选（已选 1 项）', 'the button counts the filter chosen');
  assert.equal(await page.locator('form.filters').isVisible(), false, 'the filters fold again over the list');
  const tags = await page.locator('table.cards tbody tr').first().textContent();
  assert.match(tags, /独居老人/, 'the list shows the residents of the tag chosen');
  assert.deepEqual(await overflow(page), []);
  await shot(page, 'roles-residents-filtered-phone', { fullPage: false });
  for (const path of ['/visits', '/households']) {
    await page.goto(path);
    assert.equal(await page.locator('form.filters').isVisible(), false, `${path}: the filters are folded`);
    assert.ok(await summary.isVisible(), `${path}: one button opens them`);
  }
  await ctx.close();
});

test('a resident on a phone reports from the public home and tracks the case by its number and phone', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await page.goto('/');
  await shot(page, 'roles-public-home-phone', { fullPage: false });
  assert.deepEqual(await overflow(page), []);
  await Promise.all([page.waitForURL(/\/report/), page.click('main a[href="/report"]')]);
  await reportIn(page);
  const leak = await page.$eval('select[name="category_id"]', (s) => [...s.options].find((o) => o.textContent.trim().startsWith('漏水')).value);
  const building = await page.$eval('select[name="building_id"]', (s) => s.options[1].value);
  await page.selectOption('select[name="category_id"]', leak);
  await page.selectOption('select[name="building_id"]', building);
  await page.fill('textarea[name="description"]', '楼道顶上往下滴水');
  await page.fill('input[name="reporter_phone"]', '13912344321');
  await Promise.all([page.waitForNavigation(), page.click('form#report-form button.big')]);
  const number = (await page.textContent('h1')).replace('诉求', '').trim();
  await shot(page, 'roles-report-done-phone', { fullPage: false });
  await page.goto('/');
  await page.fill('#by-number input[name="number"]', number);
  await page.fill('#by-number input[name="phone4"]', '4321');
  await Promise.all([page.waitForURL(/\/track\/[a-z0-9]+$/), page.click('#by-number button')]);
  assert.match(await page.textContent('h1'), new RegExp(number));
  assert.deepEqual(ctx.pageErrors, []);
  await ctx.close();
});
