// Browser flow of a case: a resident reports a problem on a phone; the community admin accepts and
// dispatches it to grid 01; the grid leader signs and reports; the admin verifies; the resident
// rates it on the tracking page; the dashboard counts it. Screenshots go to e2e/screenshots/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, desktop, phone, signIn, shot, rawPhone } from '../lib/browser.js';

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

async function open(device = desktop) {
  const ctx = await context(browser, server, device);
  const page = await ctx.newPage();
  return { ctx, page };
}

function noPageErrors(ctx) {
  assert.deepEqual(ctx.pageErrors, [], 'scripts or the content security policy reported errors');
}

/** submitAndWait clicks a submit button and waits for the page it leads to. */
async function submitAndWait(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** act posts one action form of the case page and checks the flash message. */
async function act(page, action, fill = async () => {}) {
  const form = page.locator(`form[action$="/actions/${action}"]`);
  await form.locator('xpath=ancestor::details').evaluate((d) => { d.open = true; });
  await fill(form);
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
  const alert = await page.locator('[role="alert"]').allTextContents();
  assert.deepEqual(alert, [], `${action} was refused: ${alert.join(' ')}`);
  assert.match(await page.textContent('.flash'), /已完成/);
}

test('a resident report goes from the phone form to a rated close and into the figures', async () => {
  // The grid leader's grid, as the header names it.
  const leader = await open(desktop);
  await signIn(leader.page, 'grid01');
  const gridName = (await leader.page.getAttribute('.who span', 'title')).trim();
  assert.ok(gridName, 'the grid leader has a grid');

  // 1. A resident reports at a phone viewport, without signing in.
  const resident = await open(phone);
  const rp = resident.page;
  const res = await rp.goto('/report');
  assert.equal(res.status(), 200);
  const community = rp.locator('select[name="community"]');
  if (await community.count()) {
    await community.selectOption({ index: 1 });
    await submitAndWait(rp, 'form[action="/report"] button[type="submit"]');
  }
  const leak = await rp.$eval('select[name="category_id"]', (s) => [...s.options].find((o) => o.textContent.trim().startsWith('漏水')).value);
  await rp.selectOption('select[name="category_id"]', leak);
  const building = rp.locator('select[name="building_id"]');
  if (await building.count()) {
    const value = await building.evaluate((s, name) => {
      const o = [...s.options].find((x) => x.textContent.includes(name));
      return o ? o.value : '';
    }, gridName);
    if (value) await building.selectOption(value);
  }
  await rp.fill('input[name="address"]', '3号楼2单元门口');
  await rp.fill('textarea[name="description"]', '楼上卫生间漏水，已经渗到我家天花板，墙皮脱落');
  await rp.fill('input[name="reporter_name"]', '王女士');
  await rp.fill('input[name="reporter_phone"]', '13912345678');
  await shot(rp, 'cases-report-phone');
  await submitAndWait(rp, 'form#report-form button.big');
  assert.match(new URL(rp.url()).pathname, /^\/track\/[a-z0-9]+$/);
  const trackURL = new URL(rp.url()).pathname;
  const number = (await rp.textContent('h1')).replace('诉求', '').trim();
  assert.match(await rp.textContent('body'), /提交成功/);
  assert.doesNotMatch(await rp.textContent('body'), rawPhone);
  await shot(rp, 'cases-track-new');

  // 2. The admin accepts and dispatches to the grid.
  const admin = await open(desktop);
  const ap = admin.page;
  await signIn(ap, 'admin');
  await ap.goto('/cases?queue=to_accept&q=' + encodeURIComponent(number));
  await Promise.all([ap.waitForNavigation(), ap.click(`a:text("${number}")`)]);
  const casePath = new URL(ap.url()).pathname;
  assert.doesNotMatch(await ap.textContent('body'), rawPhone);
  assert.match(await ap.textContent('body'), /139\*\*\*\*5678/);
  await act(ap, 'accept');
  await act(ap, 'dispatch', async (form) => {
    const lead = await form.locator('select[name="lead"]').evaluate((s, name) =>
      [...s.options].find((o) => o.value.startsWith('grid:') && o.textContent.trim().endsWith(name)).value, gridName);
    await form.locator('select[name="lead"]').selectOption(lead);
  });
  await shot(ap, 'cases-dispatched');

  // 3. The grid leader signs and reports.
  const lp = leader.page;
  await lp.goto(casePath);
  await act(lp, 'sign');
  await act(lp, 'report', async (form) => {
    await form.locator('textarea[name="note"]').fill('已联系楼上住户维修水管，漏水已止住');
    await form.locator('input[name="public"]').check(); // notes are internal unless made public
  });
  await shot(lp, 'cases-reported');

  // 4. The admin verifies.
  await ap.goto(casePath);
  await act(ap, 'verify', (form) => form.locator('select[name="outcome"]').selectOption('resolved'));
  assert.match(await ap.textContent('.status-line'), /已结案/);

  // 5. The resident rates it on the tracking page.
  await rp.goto(trackURL);
  assert.match(await rp.textContent('body'), /已联系楼上住户维修水管/);
  await rp.check('input[name="resolved"][value="1"]');
  await rp.check('input[name="satisfaction"][value="satisfied"]');
  await shot(rp, 'cases-rate-phone');
  await submitAndWait(rp, '#rate button[type="submit"]');
  assert.match(await rp.textContent('body'), /已收到评价/);

  // 6. The dashboard counts it: a satisfied callback links to a list that holds the case.
  await ap.goto('/cases/dashboard');
  assert.match(await ap.textContent('.figures'), /满意率/);
  await ap.waitForTimeout(500);
  await shot(ap, 'cases-dashboard');
  const href = await ap.getAttribute('a[href*="figure=satisfaction_satisfied"]', 'href');
  await ap.goto(href + '&q=' + encodeURIComponent(number));
  assert.match(await ap.textContent('.case-list'), new RegExp(number));

  noPageErrors(resident.ctx);
  noPageErrors(admin.ctx);
  noPageErrors(leader.ctx);
  await resident.ctx.close();
  await admin.ctx.close();
  await leader.ctx.close();
});
