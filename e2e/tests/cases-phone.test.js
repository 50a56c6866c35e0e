// The cases pages staff use on a phone (grid leaders and workers) fit a 390 px wide screen: nothing
// pushes the page wider than the screen, so no sideways scrolling is needed to read or act.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, linkIDs, shot, overflow, reportIn } from '../lib/browser.js';

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

test('a grid leader reads and works cases on a phone without sideways scrolling', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'grid01');
  await page.goto('/cases?queue=mine');
  const ids = await linkIDs(page, '/cases/');
  assert.ok(ids.length > 0, 'the grid leader has cases');
  for (const path of ['/cases', '/cases?queue=mine', `/cases/${ids[0]}`, `/cases/${ids[0]}/print`, '/cases/new', '/cases/dashboard']) {
    const res = await page.goto(path);
    assert.equal(res.status(), 200, path);
    assert.deepEqual(await overflow(page), [], `${path} is wider than the phone`);
  }
  await page.goto(`/cases/${ids[0]}`);
  await shot(page, 'cases-case-phone');
  await ctx.close();
});

test('a street leader reads the dashboard by community on a phone and opens one community\'s, which charts its grids', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'street');
  await page.goto('/cases/dashboard');
  const communities = page.locator('section.card', { has: page.locator('h2', { hasText: '按社区' }) }).locator('tbody tr');
  const names = await communities.locator('td:first-child').allTextContents();
  for (const name of ['南关社区', '西关社区', '仓门社区']) assert.ok(names.includes(name), `按社区 lists ${name}: ${names}`);
  assert.equal(await page.locator('#chart-regions canvas').count(), 1, 'the communities are charted');
  assert.deepEqual(await overflow(page), [], 'the street dashboard is wider than the phone');
  await shot(page, 'cases-dashboard-street-phone');
  // The community's count links to its cases; its name to its own dashboard.
  const row = communities.filter({ hasText: '南关社区' });
  const count = Number(await row.locator('td').nth(1).textContent());
  assert.ok(count > 0, 'Nanguan has cases in the last twelve months');
  await Promise.all([page.waitForNavigation(), row.locator('td:first-child a').click()]);
  assert.match(page.url(), /\/cases\/dashboard\?.*region=\d+/);
  assert.equal(await page.locator('h2', { hasText: '按社区' }).count(), 0, 'a community charts no communities');
  assert.ok(await page.locator('h2', { hasText: '按网格' }).count() > 0, 'a community charts its grids');
  const accepted = Number(await page.locator('.figure-accepted strong').first().textContent());
  assert.equal(accepted, count, 'the community\'s own dashboard counts what the street\'s row said');
  assert.deepEqual(ctx.pageErrors, []);
  await ctx.close();
});

test('without scripts, the similar-cases check posts the form and keeps the resident\'s words out of the address', async () => {
  const ctx = await context(browser, server, { ...phone, javaScriptEnabled: false });
  const page = await ctx.newPage();
  const navigations = [];
  page.on('request', (req) => { if (req.isNavigationRequest()) navigations.push(`${req.method()} ${req.url()}`); });
  await page.goto('/report');
  await reportIn(page);
  const leak = await page.$eval('select[name="category_id"]', (s) => [...s.options].find((o) => o.textContent.trim().startsWith('漏水')).value);
  const building = await page.$eval('select[name="building_id"]', (s) => s.options[1].value);
  const fill = async () => {
    await page.selectOption('select[name="category_id"]', leak);
    await page.selectOption('select[name="building_id"]', building);
    await page.fill('textarea[name="description"]', '卫生间顶上往下滴水');
    await page.fill('input[name="reporter_phone"]', '13912345678');
  };
  await fill();
  await page.fill('input[name="address"]', '2单元');
  await Promise.all([page.waitForNavigation(), page.click('form#report-form button.big')]);
  assert.match(new URL(page.url()).pathname, /^\/track\//);

  await page.goto('/report');
  await reportIn(page);
  await fill();
  await Promise.all([page.waitForNavigation(), page.click('button[data-check]')]);
  assert.equal(new URL(page.url()).search, '', 'the check put form fields in the address');
  assert.equal(await page.inputValue('textarea[name="description"]'), '卫生间顶上往下滴水');
  assert.equal(await page.inputValue('input[name="reporter_phone"]'), '');
  assert.match(await page.textContent('#similar'), /附近已有 \d+ 件同类问题/);
  await Promise.all([page.waitForNavigation(), page.click('#similar button')]);
  assert.match(page.url(), /\/track\/f\d+-[0-9a-f]+\?followed=1$/);
  for (const n of navigations) {
    assert.doesNotMatch(decodeURIComponent(n), /滴水|13912345678/, `${n} carries what the resident typed`);
  }
  await ctx.close();
});
