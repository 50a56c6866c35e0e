// Browser flow of issue 11, separation of duties: the community admin asks for a grid worker's
// account on a phone, the security admin approves it on a desktop without ever seeing the one-time
// code, and the code reaches the community admin's notifications. Both pages fit their screens.

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

test('a grid account is requested by the community, approved by security, and its code reaches the requester only', async () => {
  const username = 'wangfang' + Date.now().toString().slice(-4);

  const community = await context(browser, server, phone);
  let page = await community.newPage();
  await signIn(page, 'admin');
  await page.goto('/account-requests');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="name"]', '王芳');
  await page.selectOption('select[name="role"]', 'grid_worker');
  const grid = await page.locator('select[name="region_id"] option', { hasText: '网格' }).first().getAttribute('value');
  await page.selectOption('select[name="region_id"]', grid);
  await page.fill('input[name="reason"]', '新聘网格员，负责第二网格');
  await Promise.all([page.waitForURL(/\/account-requests$/), page.click('form[action="/account-requests"] button[type="submit"]')]);
  assert.match(await page.innerText('main'), /申请已提交/);
  assert.match(await page.innerText('main'), /待审批/);
  assert.deepEqual(await overflow(page), [], 'the request page is wider than the phone');
  await shot(page, 'account-requests-phone');

  const security = await context(browser, server, desktop);
  const sp = await security.newPage();
  await signIn(sp, 'security');
  await sp.goto('/admin/users');
  await Promise.all([sp.waitForURL(/\/admin\/account-requests$/), sp.click('a[href="/admin/account-requests"]')]);
  const row = sp.locator('tr', { hasText: username });
  assert.equal(await row.count(), 1, 'the pending request is listed for the security admin');
  await shot(sp, 'account-requests-approval-desktop');
  await Promise.all([sp.waitForURL(/\/admin\/account-requests$/), row.locator('form[action$="/approve"] button').click()]);
  const approved = await sp.innerText('main');
  assert.match(approved, /一次性口令已发给申请人/);
  assert.doesNotMatch(approved, /[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}/, 'the security admin sees a code');
  assert.deepEqual(security.pageErrors, []);
  await security.close();

  await page.goto('/notifications');
  assert.match(await page.innerText('main'), /一次性初始口令：[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}/);
  await page.goto('/account-requests');
  assert.match(await page.innerText('main'), /已开通/);
  assert.deepEqual(community.pageErrors, []);
  await community.close();
});
