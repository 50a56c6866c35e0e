// Browser flow of a visit at a phone viewport: a grid worker opens today's list, records a visit of
// an overdue household, the household leaves the list, and the need found becomes a case. Then the
// signal drops: the draft is kept on the phone and submitted once when the connection returns.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, shot, rawPhone } from '../lib/browser.js';

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

test('today → record a visit → it leaves the overdue list → the need becomes a case', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'worker01');
  await page.goto('/today');
  const overdue = page.locator('#due-list li.overdue');
  assert.ok(await overdue.count() > 0, 'the demo has overdue care-plan visits in grid 01 today');
  const household = await overdue.first().getAttribute('data-household');
  const address = (await overdue.first().locator('strong').textContent()).trim();
  assert.doesNotMatch(await page.innerText('body'), rawPhone, 'a phone number shows unmasked on the today page');
  await shot(page, 'visits-today-phone');

  const started = Date.now();
  await Promise.all([page.waitForURL(/\/visits\/new\?household=/), overdue.first().locator('a').click()]);
  assert.equal((await page.textContent('.household strong')).trim(), address);
  assert.ok(await page.locator('input[name="met"]:checked').count() > 0, 'the residents due are ticked as met');
  await page.check('input[name="method"][value="home"]');
  await page.fill('textarea[name="situation"]', '老人独自在家，精神尚可，冬季取暖正常');
  await page.fill('textarea[name="needs"]', '希望社区协助安排助餐送餐');
  await page.check('input[name="to_case"]');
  const meal = await page.$eval('select[name="need_category_id"]', (s) => [...s.options].find((o) => o.textContent.includes('助餐')).value);
  await page.selectOption('select[name="need_category_id"]', meal);
  await shot(page, 'visits-form-phone');
  await Promise.all([page.waitForURL(/\/visits\/\d+$/), page.click('#visit-form button[type="submit"]')]);
  const took = Date.now() - started;
  assert.ok(took < 60_000, `recording took ${took} ms`);
  const caseLink = page.locator('#visit-case a');
  assert.equal(await caseLink.count(), 1, 'the visit page links the case it became');
  await shot(page, 'visits-saved-phone');

  await page.goto('/today');
  assert.equal(await page.locator(`#due-list li[data-household="${household}"]`).count(), 0,
    `${address} is still on the due list after its visit`);

  await page.goto('/visits?mine=1');
  const visitHref = await page.locator('table a[href^="/visits/"]').first().getAttribute('href');
  await page.goto(visitHref);
  await Promise.all([page.waitForURL(/\/cases\/\d+$/), page.locator('#visit-case a').click()]);
  const body = await page.innerText('body');
  assert.match(body, /助餐送餐/, 'the case holds the need found');
  assert.match(body, /网格员走访/, 'the case came in through the visit channel');
  assert.deepEqual(ctx.pageErrors, [], 'scripts or the content security policy reported errors');
  await ctx.close();
});

test('a draft made without signal is kept on the phone and submitted once when it returns', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'worker01');
  await page.goto('/today');
  const item = page.locator('#due-list li').first();
  await Promise.all([page.waitForURL(/\/visits\/new\?household=/), item.locator('a').click()]);
  const uuid = await page.inputValue('input[name="client_uuid"]');
  await page.fill('textarea[name="situation"]', '楼道信号弱，离线记录的走访');
  await ctx.setOffline(true);
  await page.click('#visit-form button[type="submit"]');
  await page.waitForSelector('#visits-outbox:not([hidden])');
  assert.match(await page.textContent('#visits-outbox'), /保存在本机/);
  await shot(page, 'visits-offline-phone');
  await ctx.setOffline(false);
  await page.waitForFunction(() => /全部提交/.test(document.getElementById('visits-outbox').textContent), null, { timeout: 15_000 });
  // The same draft sent again (a second tap, a replay) is still one visit.
  const again = await page.evaluate(async (draft) => {
    const res = await fetch('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(draft) });
    return res.status;
  }, { client_uuid: uuid, household_id: Number(new URL(page.url()).searchParams.get('household')), method: 'home',
    situation: '楼道信号弱，离线记录的走访' });
  assert.equal(again, 200, 'the replayed draft answers the visit already made');
  await page.goto('/visits?mine=1');
  const rows = await page.locator('table tbody tr', { hasText: '离线记录的走访' }).count();
  assert.equal(rows, 1, 'one visit for the draft');
  assert.deepEqual(ctx.pageErrors, [], 'scripts or the content security policy reported errors');
  await ctx.close();
});
