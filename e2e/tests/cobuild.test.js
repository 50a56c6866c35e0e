// Browser flow of issue 13, the co-building alliance 共驻共建: a grid worker raises a need from a
// visit, a unit contact claims it on a phone and makes it a project, and a joint meeting records a
// decision for the unit that its contact later closes 销号. The unit contact's pages fit a 390 px
// wide screen without sideways scrolling.

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

test('a visit need is claimed on a phone, becomes a project, and a meeting decision is closed later', async () => {
  const title = '楼道扶手加装' + Date.now().toString().slice(-5);

  // A grid worker raises the need from one of their visits.
  const worker = await context(browser, server, phone);
  let page = await worker.newPage();
  await signIn(page, 'worker01');
  await page.goto('/visits?mine=1');
  const visit = await page.locator('table a[href^="/visits/"]').first().getAttribute('href');
  await page.goto(visit);
  await Promise.all([page.waitForURL(/\/cobuild\/needs\/new\?visit=\d+/), page.click('#visit-cobuild')]);
  await page.fill('input[name="title"]', title);
  await page.selectOption('select[name="category"]', '助老');
  await page.selectOption('select[name="beneficiary"]', 'households');
  await page.fill('input[name="households"]', '3号楼2单元 王**');
  await page.fill('input[name="want_people"]', '2');
  await Promise.all([page.waitForURL(/\/cobuild\/needs\/\d+$/), page.click('form[action="/cobuild/needs"] button[type="submit"]')]);
  const needPath = new URL(page.url()).pathname;
  assert.match(await page.innerText('main'), /走访发现/);
  assert.deepEqual(worker.pageErrors, []);
  await worker.close();

  // The school's contact sees it on their phone, claims it and makes it a project.
  const unit = await context(browser, server, phone);
  page = await unit.newPage();
  await signIn(page, 'unit01');
  await page.goto('/cobuild');
  assert.equal(await page.locator(`#open a[href="${needPath}"]`).count(), 1, 'the new need is offered on the unit\'s home page');
  await page.goto(needPath);
  assert.deepEqual(await overflow(page), [], 'the need page is wider than the phone');
  await Promise.all([page.waitForURL(needPath), page.click(`form[action="${needPath}/claim"] button`)]);
  assert.match(await page.innerText('main'), /认领成功/);
  await page.fill('textarea[name="plan"]', '联系物业与社区，两周内完成扶手加装');
  await Promise.all([page.waitForURL(/\/cobuild\/projects\/\d+$/), page.click('form[action="/cobuild/projects"] button')]);
  const projectPath = new URL(page.url()).pathname;
  await page.fill('form[action$="/milestones"] input[name="title"]', '现场测量');
  const due = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
  await page.fill('form[action$="/milestones"] input[name="due_on"]', due);
  await Promise.all([page.waitForURL(projectPath), page.click('form[action$="/milestones"] button')]);
  assert.match(await page.innerText('main'), /现场测量/);
  for (const path of ['/cobuild', projectPath, '/cobuild/needs', '/cobuild/decisions', '/cobuild/card']) {
    await page.goto(path);
    assert.deepEqual(await overflow(page), [], `${path} is wider than the phone`);
  }
  await page.goto('/cobuild');
  await shot(page, 'cobuild-unit-home-phone');

  // The community holds a joint meeting and gives the school a decision.
  const admin = await context(browser, server, desktop);
  const apage = await admin.newPage();
  await signIn(apage, 'admin');
  await apage.goto('/cobuild/meetings/new');
  await apage.fill('input[name="title"]', '专题党建联席会议');
  await apage.selectOption('select[name="cadence"]', 'special');
  const now = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16);
  await apage.fill('input[name="starts_at"]', now);
  await Promise.all([apage.waitForURL(/\/cobuild\/meetings\/\d+$/), apage.click('form[action="/cobuild/meetings"] button')]);
  const meetingPath = new URL(apage.url()).pathname;
  await apage.fill('input[name="minute_taker"]', '李文静');
  await apage.fill('textarea[name="minutes"]', `会议研究了${title}等事项。`);
  await Promise.all([apage.waitForURL(meetingPath), apage.click(`form[action="${meetingPath}/minutes"] button`)]);
  await apage.fill(`form[action="${meetingPath}/decisions"] input[name="text"]`, `${title}两周内完成`);
  await apage.click(`form[action="${meetingPath}/decisions"] button`);
  await apage.waitForURL(meetingPath);
  assert.match(await apage.innerText('main'), /决议事项须明确牵头单位|决议事项须明确完成时限/, 'a decision without owner or due date is refused');
  await apage.fill(`form[action="${meetingPath}/decisions"] input[name="text"]`, `${title}两周内完成`);
  const school = await apage.$eval(`form[action="${meetingPath}/decisions"] select[name="unit_id"]`,
    (s) => [...s.options].find((o) => o.textContent.includes('南关小学')).value);
  await apage.selectOption(`form[action="${meetingPath}/decisions"] select[name="unit_id"]`, school);
  await apage.fill(`form[action="${meetingPath}/decisions"] input[name="due_on"]`, due);
  await Promise.all([apage.waitForURL(meetingPath), apage.click(`form[action="${meetingPath}/decisions"] button`)]);
  assert.match(await apage.innerText('main'), new RegExp(`${title}两周内完成`));
  await shot(apage, 'cobuild-meeting');
  assert.deepEqual(admin.pageErrors, []);

  // Later the school's contact reports it done from their phone and it is closed.
  await page.goto('/cobuild');
  const item = page.locator('#decisions article', { hasText: `${title}两周内完成` });
  await item.locator('input[name="note"]').fill('扶手已安装，老人出行方便');
  await Promise.all([page.waitForURL('**/cobuild'), item.locator('button').click()]);
  assert.match(await page.innerText('main'), /决议事项已销号/);
  await apage.goto(meetingPath);
  assert.match(await apage.innerText('main'), /已销号/);
  assert.deepEqual(unit.pageErrors, []);
  await admin.close();
  await unit.close();
});

test('a resident raises a need on the public page; the community locates a unit and links its member', async () => {
  const title = '老人助餐' + Date.now().toString().slice(-5);
  const residents = await context(browser, server, phone);
  const page = await residents.newPage();
  await page.goto('/public/cobuild/needs');
  assert.deepEqual(await overflow(page), [], 'the public need page is wider than the phone');
  await page.selectOption('select[name="community_id"]', { label: '南关社区' });
  await page.fill('input[name="title"]', title);
  await page.selectOption('select[name="category"]', '助老');
  await page.fill('input[name="place"]', '3号楼2单元');
  await page.fill('textarea[name="detail"]', '独居老人做饭不便，希望有人送餐');
  await page.fill('input[name="name"]', '王阿姨');
  await page.fill('input[name="phone"]', '13912345678');
  await Promise.all([page.waitForURL(/\/public\/cobuild\/needs\/track\//), page.click('form[action="/public/cobuild/needs"] button[type="submit"]')]);
  assert.match(await page.innerText('main'), /需求已提交/);
  assert.match(await page.innerText('main'), /待审核/, 'the tracking page says the need waits for review');
  assert.deepEqual(await overflow(page), [], 'the tracking page is wider than the phone');
  const track = page.url();
  await shot(page, 'cobuild-public-need-phone');

  const ctx = await context(browser, server, desktop);
  const admin = await ctx.newPage();
  await signIn(admin, 'admin');
  // Not on the needs list until the community accepts it.
  await admin.goto('/cobuild/needs?q=' + encodeURIComponent(title));
  assert.equal(await admin.locator(`a:has-text("${title}")`).count(), 0, 'a need waiting for review is on the list');
  await admin.goto('/cobuild/needs/review');
  const item = admin.locator('article', { hasText: title });
  assert.match(await item.innerText(), /139\*\*\*\*5678/);
  await shot(admin, 'cobuild-need-review');
  await Promise.all([admin.waitForURL(/\/cobuild\/needs\/review/), item.locator('button:has-text("受理")').first().click()]);
  assert.match(await admin.innerText('main'), /已受理/);
  await page.goto(track);
  assert.match(await page.innerText('main'), /已受理/);
  await residents.close();

  await admin.goto('/cobuild/needs?q=' + encodeURIComponent(title));
  const href = await admin.locator(`a:has-text("${title}")`).first().getAttribute('href');
  await admin.goto(href);
  const body = await admin.innerText('main');
  assert.match(body, /王阿姨 139\*\*\*\*5678/, 'the community sees who raised it, masked');
  assert.doesNotMatch(body, /13912345678/);

  await admin.goto('/cobuild/units');
  await admin.locator('a[href^="/cobuild/units/"]', { hasText: '南关小学' }).first().click();
  await admin.waitForURL(/\/cobuild\/units\/\d+$/);
  await admin.fill('#location input[name="lon"]', '100.4512');
  await admin.fill('#location input[name="lat"]', '38.9321');
  await admin.selectOption('#location select[name="crs"]', 'wgs84');
  await Promise.all([admin.waitForLoadState(), admin.click('#location button[type="submit"]')]);
  assert.match(await admin.innerText('#location'), /已标注/);
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YWMDRAwQCgAlPgUBdJmUYAAAAABJRU5ErkJggg==', 'base64');
  await admin.locator('details:has(form[action$="/agreement"]) summary').click();
  await admin.setInputFiles('form[action$="/agreement"] input[name="photos"]', { name: '协议第1页.png', mimeType: 'image/png', buffer: png });
  await Promise.all([admin.waitForLoadState(), admin.click('form[action$="/agreement"] button[type="submit"]')]);
  await admin.waitForURL(/\/cobuild\/units\/\d+/);
  const loaded = (img) => (img.complete ? img.naturalWidth : new Promise((done) => {
    img.addEventListener('load', () => done(img.naturalWidth));
    img.addEventListener('error', () => done(0));
  }));
  assert.equal(await admin.locator('img[alt="协议扫描件"]').first().evaluate(loaded), 2, 'the agreement scan shows');
  const options = await admin.locator('#members select[name="member_id"] option').count();
  if (options > 1) {
    await admin.selectOption('#members select[name="member_id"]', { index: 1 });
    await Promise.all([admin.waitForLoadState(), admin.click('#members form:not(.inline) button[type="submit"]')]);
    assert.ok(await admin.locator('#members button:has-text("取消关联")').count() >= 1, 'the member is linked to the unit');
  }
  await shot(admin, 'cobuild-unit-members');
  await ctx.close();
});

test('a unit contact records a co-building activity on a phone; it is an activity of the activities capability', async () => {
  const title = '课后托管志愿服务' + Date.now().toString().slice(-5);
  const unit = await context(browser, server, phone);
  const page = await unit.newPage();
  await signIn(page, 'unit01');
  await page.goto('/cobuild/activities/new');
  assert.deepEqual(await overflow(page), [], 'the activity form is wider than the phone');
  await page.fill('input[name="title"]', title);
  await page.selectOption('select[name="kind"]', 'homework');
  await page.fill('input[name="start"]', '15:30');
  await page.fill('input[name="end"]', '17:30');
  await page.fill('input[name="place"]', '南关小学');
  await page.fill('input[name="participants"]', '25');
  await page.fill('input[name="service_hours"]', '10');
  await Promise.all([page.waitForURL(/\/cobuild\/activities$/), page.click('form[action="/cobuild/activities"] button[type="submit"]')]);
  const item = page.locator('article', { hasText: title });
  assert.match(await item.innerText(), /课后辅导.*25人参与.*服务10(\.0)?小时/s);
  await shot(page, 'cobuild-activity-phone');
  // The title opens the activity itself, on the activities capability's page.
  await Promise.all([page.waitForURL(/\/activities\/\d+$/), item.locator(`a:has-text("${title}")`).click()]);
  assert.match(await page.innerText('main'), new RegExp(title));
  assert.deepEqual(unit.pageErrors ?? [], []);
  await unit.close();
});
