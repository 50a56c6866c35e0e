// Browser flows of the case desk (issue 9): a grid leader escalates (上报) a case and the community
// admin finds it in 待受理, while the grid leader finds it again under 我经办的; a case dispatched to a
// department (after a dispatch to a grid is withdrawn) is signed, reported and verified, and leaves
// the department's tasks.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, shot, overflow } from '../lib/browser.js';

const wide = { viewport: { width: 1440, height: 900 } };

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

async function open(device) {
  const ctx = await context(browser, server, device);
  return { ctx, page: await ctx.newPage() };
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

/** intake records a case through the staff form and returns its page path and number. */
async function intake(page, description) {
  await page.goto('/cases/new');
  const cat = await page.$eval('select[name="category_id"]', (s) => [...s.options].find((o) => o.textContent.includes('路灯')).value);
  await page.selectOption('select[name="category_id"]', cat);
  const grid = page.locator('select[name="grid_id"]');
  if (await grid.count()) await grid.selectOption({ index: 1 });
  await page.fill('input[name="address"]', '南关社区3号楼北侧');
  await page.fill('textarea[name="description"]', description);
  await page.fill('input[name="reporter_name"]', '李先生');
  await Promise.all([page.waitForURL(/\/cases\/\d+$/), page.click('form[action="/cases"] button[type="submit"]')]);
  const number = (await page.textContent('.breadcrumb')).replace('诉求办理', '').trim();
  return { path: new URL(page.url()).pathname, number };
}

test('a grid leader escalates a case and the community admin finds it in 待受理', async () => {
  const admin = await open(wide);
  const ap = admin.page;
  await signIn(ap, 'admin');
  const kase = await intake(ap, '3号楼北侧路灯连续一周不亮，夜间行人摔倒');
  await act(ap, 'accept');
  await act(ap, 'dispatch', async (form) => {
    const lead = await form.locator('select[name="lead"]').evaluate((s) => (s.value.startsWith('grid:') ? s.value
      : [...s.options].find((o) => o.value.startsWith('grid:')).value));
    await form.locator('select[name="lead"]').selectOption(lead);
  });

  // The grid leader of the grid the case went to signs and escalates from a phone.
  const gridID = (await ap.textContent('body')).match(/南关社区第(.)网格/);
  assert.ok(gridID, 'the case names its grid');
  const numerals = '一二三四五六七八九十';
  const leaderName = 'grid' + String(numerals.indexOf(gridID[1]) + 1).padStart(2, '0');
  const leader = await open(phone);
  const lp = leader.page;
  await signIn(lp, leaderName);
  await lp.goto(kase.path);
  await act(lp, 'sign');
  await act(lp, 'escalate', (form) => form.locator('textarea[name="note"]').fill('路灯线路属供电所管理，需社区协调'));
  assert.match(await lp.textContent('.status-line'), /待受理/);
  assert.equal(await lp.locator('.act-list').count(), 0, 'the grid leader may act no more on the escalated case');
  await lp.goto('/cases?involved=me');
  assert.match(await lp.textContent('main'), new RegExp(kase.number), 'the grid leader finds the case under 我经办的');
  assert.deepEqual(await overflow(lp), [], 'the 经办 list fits the phone');
  await shot(lp, 'cases-desk-involved-phone');

  // The community admin finds it in 待受理 and may accept it.
  await ap.goto('/cases?queue=to_accept');
  assert.match(await ap.textContent('main'), new RegExp(kase.number), 'the escalated case is in the community\'s 待受理');
  await shot(ap, 'cases-desk-to-accept');
  await Promise.all([ap.waitForNavigation(), ap.click(`a:text("${kase.number}")`)]);
  assert.equal(await ap.locator('form[action$="/actions/accept"]').count(), 1, 'the admin is offered 受理立案');
  assert.match(await ap.textContent('main'), /路灯线路属供电所管理/);
  await act(ap, 'accept');
  await shot(ap, 'cases-desk-escalated-accepted');
  assert.deepEqual(admin.ctx.pageErrors, []);
  assert.deepEqual(leader.ctx.pageErrors, []);
  await admin.ctx.close();
  await leader.ctx.close();
});

test('a department signs, reports and the dispatcher verifies; the task then leaves its list', async () => {
  const admin = await open(wide);
  const ap = admin.page;
  await signIn(ap, 'admin');
  const kase = await intake(ap, '南关路口路灯杆倾斜，存在倒伏危险');
  await act(ap, 'accept');
  // First to a grid, taken back before anyone signed (撤回), then to the department (改派).
  await act(ap, 'dispatch');
  await act(ap, 'withdraw');
  assert.match(await ap.textContent('.status-line'), /已立案/);
  await act(ap, 'dispatch', async (form) => {
    await form.locator('select[name="lead"]').selectOption('department:甘州区城市管理局');
  });
  await shot(ap, 'cases-desk-dispatched-department');

  const dept = await open(phone);
  const dp = dept.page;
  await signIn(dp, 'dept01');
  await dp.goto('/cases?queue=mine');
  assert.match(await dp.textContent('main'), new RegExp(kase.number), 'the department finds its task');
  await dp.goto(kase.path);
  await act(dp, 'sign');
  await act(dp, 'report', (form) => form.locator('textarea[name="note"]').fill('已加固灯杆并更换底座螺栓'));
  await shot(dp, 'cases-desk-department-reported-phone');
  assert.deepEqual(await overflow(dp), [], 'the case page fits the phone');

  await ap.goto(kase.path);
  await act(ap, 'verify', (form) => form.locator('select[name="outcome"]').selectOption('resolved'));
  assert.match(await ap.textContent('.status-line'), /已结案/);

  await dp.goto('/cases?queue=mine');
  assert.doesNotMatch(await dp.textContent('main'), new RegExp(kase.number), 'the finished task left the department\'s tasks');
  await dp.goto('/cases?involved=me');
  assert.match(await dp.textContent('main'), new RegExp(kase.number), 'the department finds the finished case under 我经办的');
  assert.deepEqual(admin.ctx.pageErrors, []);
  assert.deepEqual(dept.ctx.pageErrors, []);
  await admin.ctx.close();
  await dept.ctx.close();
});
