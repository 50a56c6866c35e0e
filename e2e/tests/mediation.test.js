// Browser flow of issue 12: a neighbour dispute reported by a grid worker on a phone becomes a
// mediation in one step, an expert of the red think tank is invited, an agreement is printed
// (three copies), a follow-up is recorded and the file is archived — then the mediation pages fit
// a 390 px phone without sideways scrolling.

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

/** tinyPNG is a 2×2 PNG for uploads. */
const tinyPNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YWMDRAwQCgAlPgUBdJmUYAAAAABJRU5ErkJggg==', 'base64');

/** act opens the action's panel on the case page, lets fill complete the form, and submits it. */
async function act(page, action, fill = async () => {}) {
  const form = page.locator(`form[action$="/actions/${action}"]`).first();
  await form.evaluate((f) => { f.closest('details').open = true; });
  await fill(form);
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
  const alert = await page.locator('[role="alert"]').allTextContents();
  assert.deepEqual(alert, [], `${action} was rejected`);
}

test('a neighbour dispute becomes a mediation, an expert joins, the agreement is printed, followed up and archived', async () => {
  const phoneCtx = await context(browser, server, phone);
  const worker = await phoneCtx.newPage();
  await signIn(worker, 'worker01');
  await worker.goto('/cases/new');
  const noise = await worker.$eval('select[name="category_id"]', (s) => [...s.options].find((o) => o.textContent.includes('噪音')).value);
  await worker.selectOption('select[name="category_id"]', noise);
  await worker.fill('textarea[name="description"]', '3号楼楼上住户夜间噪音，楼下老人无法休息，双方已争吵多次');
  await worker.fill('input[name="reporter_name"]', '张桂兰');
  await Promise.all([worker.waitForURL(/\/cases\/\d+$/), worker.click('form[action="/cases"] button[type="submit"]')]);
  const caseID = new URL(worker.url()).pathname.split('/').pop();
  await phoneCtx.close();

  const ctx = await context(browser, server, desktop);
  const page = await ctx.newPage();
  await signIn(page, 'mediator01');
  await page.goto(`/cases/${caseID}`);
  await Promise.all([page.waitForURL(/\/mediation\/cases\/new\?case=/), page.click('a:has-text("转人民调解")')]);
  assert.equal(await page.inputValue('input[name="p0_name"]'), '张桂兰', 'the reporter becomes the applicant');
  await page.fill('input[name="p1_name"]', '李建军');
  for (const i of [0, 1]) {
    await page.check(`input[name="p${i}_consent"]`);
    await page.check(`input[name="p${i}_notified"]`);
  }
  await Promise.all([page.waitForURL(/\/mediation\/cases\/\d+$/), page.click('form[action="/mediation/cases"] button[type="submit"]')]);
  const number = (await page.textContent('.status-line')).match(/\(\d{4}\)南人调字第\d+号/)[0];
  await page.goto(`/cases/${caseID}`);
  assert.ok((await page.innerText('body')).includes(number), 'the case timeline names the mediation file');
  const medHref = await page.evaluate(() => (document.body.innerText.match(/\/mediation\/cases\/\d+/) || [])[0]);
  await page.goto(medHref);

  await act(page, 'accept');
  await act(page, 'record', (f) => f.locator('textarea[name="content"]').fill('双方陈述意见，调解员释法说理'));
  await act(page, 'invite', async (f) => {
    const expert = await f.locator('select[name="expert_id"] option').nth(1).getAttribute('value');
    await f.locator('select[name="expert_id"]').selectOption(expert);
  });
  assert.ok((await page.innerText('body')).includes('智囊团专家'), 'the invited expert is on the file');
  await act(page, 'agree', async (f) => {
    await f.locator('input[name="term_content"]').first().fill('李建军每晚22时后不再进行产生噪音的活动');
    await f.locator('input[name="term_method"]').first().fill('自行履行');
    await f.locator('input[name="term_due"]').first().fill(await f.locator('input[name="signed_on"]').inputValue());
  });
  await shot(page, 'mediation-case-desktop');
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.goto(`/mediation/cases/${id}/agreement`);
  assert.equal(await page.locator('h1:has-text("人民调解协议书")').count(), 3, 'one copy per party and one for the committee');
  assert.ok((await page.innerText('body')).includes('人民调解委员会（印章）'));
  assert.doesNotMatch(await page.innerText('body'), rawPhone);
  await shot(page, 'mediation-agreement');
  await page.goto(`/mediation/cases/${id}`);
  await page.setInputFiles('#attachments input[name="photos"]', { name: '签字现场.png', mimeType: 'image/png', buffer: tinyPNG });
  await page.fill('#attachments input[name="note"]', '双方签字现场');
  await Promise.all([page.waitForNavigation(), page.click('#attachments button[type="submit"]')]);
  assert.equal(await page.locator('#attachments img').count(), 1, 'the attachment is on the file');
  assert.equal(await page.locator('#attachments img').evaluate((img) => img.naturalWidth), 2, 'the attachment shows');
  await act(page, 'follow_up');
  for (const kind of ['identity', 'cover']) {
    await act(page, 'add_document', (f) => f.locator('select[name="document_kind"]').selectOption(kind));
  }
  await act(page, 'archive');
  assert.ok((await page.textContent('.status-line')).includes('已归档'));
  await page.goto(`/mediation/cases/${id}/file`);
  assert.ok((await page.innerText('body')).includes('必备材料齐全'));
  await ctx.close();
});

test('an admin assigns a mediator and takes an expert out of the pool', async () => {
  const ctx = await context(browser, server, desktop);
  const page = await ctx.newPage();
  await signIn(page, 'admin');
  await page.goto('/mediation/cases?state=mediating');
  const href = await page.locator('a[href^="/mediation/cases/"]').evaluateAll(
    (as) => as.map((a) => a.getAttribute('href')).find((h) => /^\/mediation\/cases\/\d+$/.test(h)));
  await page.goto(href);
  const form = page.locator('form[action$="/actions/assign"]');
  await form.evaluate((f) => { f.closest('details').open = true; });
  const boxes = form.locator('input[name="mediator_ids"]');
  assert.ok(await boxes.count() >= 2, 'the committee\'s mediators are offered');
  await boxes.nth(1).check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
  assert.deepEqual(await page.locator('[role="alert"]').allTextContents(), []);
  await shot(page, 'mediation-assign-desktop');

  await page.goto('/mediation/experts');
  const before = await page.locator('.tag:has-text("已停用")').count();
  await Promise.all([page.waitForNavigation(), page.locator('form[action$="/active"] button:has-text("停用")').first().click()]);
  assert.equal(await page.locator('.tag:has-text("已停用")').count(), before + 1, 'the expert is marked out of the pool');
  await Promise.all([page.waitForNavigation(), page.locator('form[action$="/active"] button:has-text("恢复")').first().click()]);
  assert.equal(await page.locator('.tag:has-text("已停用")').count(), before, 'and back in');
  await ctx.close();
});

test('the mediation pages fit a phone', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'mediator01');
  await page.goto('/mediation');
  const first = await page.locator('.m-cards a[href^="/mediation/cases/"]').first().getAttribute('href');
  for (const path of ['/mediation', first, '/mediation/cases/new', '/mediation/experts', '/mediation/screenings', '/mediation/figures?from=2024-01-01&to=2024-10-15']) {
    const res = await page.goto(path);
    assert.equal(res.status(), 200, path);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(wide <= 1, `${path} is ${wide}px wider than the phone`);
  }
  await page.goto(first);
  await shot(page, 'mediation-case-phone');
  await page.goto('/mediation/figures?from=2024-01-01&to=2024-10-15');
  assert.ok((await page.innerText('body')).includes('78'), 'the record shows 78 agreements');
  await shot(page, 'mediation-figures-phone');
  await ctx.close();
});
