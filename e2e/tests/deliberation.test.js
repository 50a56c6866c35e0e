// The residents' deliberation hall on phones (390×844), with the staff's pages also at desktop size:
// a resident verifies her phone by a texted code and raises a topic, neighbours support it, the community accepts it, a meeting votes with
// ballots on the residents' phones, the decision is published; a decision being carried out is
// brought to 100 % and the residents rate it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, desktop, phone, signIn, shot, overflow, rawPhone } from '../lib/browser.js';

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

/** photoPNG is a small grey PNG a resident attaches, base64. */
const photoPNG = 'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAAAAABWESUoAAAAFklEQVR42mOYRgAwjCoYVTCqYKQqAADMm1gfgi9fDgAAAABJRU5ErkJggg==';

/** shanghai formats a time as the value of a datetime-local input in Asia/Shanghai. */
function shanghai(d) {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState(), page.waitForNavigation(), page.click(selector)]);
}

async function flash(page) {
  return (await page.locator('.flash, .alert').allTextContents()).join(' ');
}

/** verify signs a resident's phone in with the code the demo's SMS gateway writes to the log. */
async function verify(page, p, back) {
  await page.goto(`/public/deliberation/verify?back=${encodeURIComponent(back)}`);
  await page.fill('#send-code input[name="name"]', p.name);
  await page.fill('#send-code input[name="phone"]', p.phone);
  await submit(page, '#send-code button[type="submit"]');
  const masked = p.phone.slice(0, 3) + '\\*\\*\\*\\*' + p.phone.slice(7);
  const codes = [...server.log().matchAll(new RegExp(masked + '.*?验证码为(\\d{6})', 'g'))];
  assert.ok(codes.length > 0, `no code for ${p.name} in the log`);
  await page.fill('#verify input[name="code"]', codes[codes.length - 1][1]);
  await submit(page, '#verify button[type="submit"]');
  assert.match(await flash(page), /手机号已验证/);
}

test('a topic goes from a resident\'s phone through a meeting\'s ballots to a published decision, and residents rate a finished one', async () => {
  const staff = await context(browser, server, phone);
  const admin = await staff.newPage();
  await signIn(admin, 'admin');

  // Three neighbours of one building, in the grid of the demo's decision being carried out, are
  // registered with phones they will identify themselves with.
  const api = staff.request;
  const implementing = (await (await api.get('/api/v1/deliberation/topics?state=implementing')).json()).items[0];
  assert.ok(implementing, 'the demo has a decision being carried out');
  const households = (await (await api.get(`/api/v1/households?grid=${implementing.region_id}&limit=200`)).json()).items;
  const byBuilding = new Map();
  for (const h of households) byBuilding.set(h.building_id, [...(byBuilding.get(h.building_id) || []), h]);
  const homes = [...byBuilding.values()].find((hs) => hs.length >= 3).slice(0, 3);
  const people = homes.map((h, i) => ({ name: ['议事甲', '议事乙', '议事丙'][i], phone: `1391234000${i + 1}`, household: h.id }));
  for (const p of people) {
    const res = await api.post('/api/v1/residents', { data: { household_id: p.household, name: p.name, phone: p.phone,
      birth_date: '1975-05-01', relation: '非亲属' } });
    assert.equal(res.status(), 201, await res.text());
  }

  // The resident verifies her phone by a texted code and raises a topic for her building.
  const phones = [await context(browser, server, phone), await context(browser, server, phone), await context(browser, server, phone)];
  const [a, b, c] = await Promise.all(phones.map((ctx) => ctx.newPage()));
  await a.goto('/public/deliberation');
  assert.deepEqual(await overflow(a), [], 'the public hall is wider than the phone');
  await shot(a, 'deliberation-public-phone');
  await Promise.all([a.waitForURL('**/public/deliberation/new'), a.click('#raise')]);
  await Promise.all([a.waitForURL('**/public/deliberation/verify**'), a.click('#verify-link')]);
  assert.deepEqual(await overflow(a), [], 'the verification page is wider than the phone');
  await verify(a, people[0], '/public/deliberation/new');
  await a.fill('input[name="title"]', '本楼单元门禁维修');
  await a.fill('textarea[name="description"]', '单元门禁坏了两个月，陌生人随意进出，希望尽快维修并明确维修费用来源。');
  await a.setInputFiles('input[name="photos"]', { name: '议事甲拍的门禁.png', mimeType: 'image/png', buffer: Buffer.from(photoPNG, 'base64') });
  assert.deepEqual(await overflow(a), [], 'the form with its photo field is wider than the phone');
  await shot(a, 'deliberation-raise-phone');
  await submit(a, 'form[action="/public/deliberation/topics"] button[type="submit"]');
  assert.match(a.url(), /\/public\/deliberation\/topics\/\d+$/);
  const topic = a.url().split('/').pop();
  assert.match(await flash(a), /正在征集邻居支持/);
  assert.match(await a.locator('#supports').textContent(), /1 户/);
  // Her photo shows on the topic's page, without its file name (which may carry her name).
  await assert.doesNotReject(a.locator('#photos img').first().waitFor());
  assert.equal(await a.locator('#photos img').count(), 1);
  assert.ok(await a.locator('#photos img').first().evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo does not load');
  assert.doesNotMatch(await a.locator('main').textContent(), /议事甲拍的门禁/, 'a photo\'s file name on the public page');

  // Two neighbours support it; a second support from the same household is refused.
  for (const [page, p] of [[b, people[1]], [c, people[2]]]) {
    await verify(page, p, `/public/deliberation/topics/${topic}`);
    await submit(page, '#support button[type="submit"]');
    assert.match(await flash(page), /本户的支持已记录/);
  }
  await submit(b, '#support button[type="submit"]');
  assert.match(await flash(b), /每户限支持一次/);
  assert.match(await b.locator('#supports').textContent(), /3 户/);
  const publicText = await b.locator('main').textContent();
  assert.doesNotMatch(publicText, /议事甲|议事乙|议事丙/, 'a resident\'s name on the public page');
  assert.doesNotMatch(publicText, rawPhone, 'a phone number on the public page');
  assert.deepEqual(await overflow(b), [], 'the topic page is wider than the phone');
  await shot(b, 'deliberation-topic-phone');

  // The community accepts it.
  await admin.goto(`/deliberation/topics/${topic}`);
  await admin.fill('form[action$="/actions/accept"] input[name="owner"]', '第三网格');
  await admin.fill('form[action$="/actions/accept"] textarea[name="plan"]', '征求本楼意见，提交居民代表议事会表决。');
  await submit(admin, 'form[action$="/actions/accept"] button[type="submit"]');
  assert.match(await admin.locator('h1 .tag').textContent(), /商议中/);

  // A meeting in a room open around the clock, starting within the half hour, so that the
  // residents can sign in and vote now whenever the test runs.
  const now = new Date();
  const startAt = new Date(Math.ceil((now.getTime() + 60_000) / 1_800_000) * 1_800_000);
  let endAt = new Date(startAt.getTime() + 3_600_000);
  const dayEnd = shanghai(now).slice(0, 10) + 'T23:30';
  if (shanghai(endAt) > dayEnd || shanghai(endAt).slice(0, 10) !== shanghai(startAt).slice(0, 10)) endAt = new Date(startAt.getTime() + 1_800_000);
  assert.ok(shanghai(endAt) <= dayEnd && shanghai(endAt).slice(0, 10) === shanghai(startAt).slice(0, 10),
    'no half hour of the Shanghai day is left for a meeting');
  const room = await api.post('/api/v1/venues', { data: { name: '楼栋议事角', kind: 'deliberation', capacity: 30,
    opens: '00:00', closes: '23:30', open_days: 'all' } });
  assert.equal(room.status(), 201, await room.text());
  const roomID = (await room.json()).id;
  await admin.goto('/deliberation/meetings/new');
  await admin.fill('input[name="title"]', '门禁维修居民代表议事会');
  await admin.selectOption('select[name="venue_id"]', String(roomID));
  await admin.fill('input[name="starts_at"]', shanghai(startAt));
  await admin.fill('input[name="ends_at"]', shanghai(endAt));
  await admin.check(`input[name="topics"][value="${topic}"]`);
  await submit(admin, 'form[action="/deliberation/meetings"] button[type="submit"]');
  assert.match(admin.url(), /\/deliberation\/meetings\/\d+$/, await flash(admin));
  for (const p of people) {
    await admin.click('#participants details summary');
    await admin.fill('#participants input[name="name"]', p.name);
    await admin.fill('#participants input[name="household_id"]', String(p.household));
    await submit(admin, '#participants form[action$="/participants"] button[type="submit"]');
    assert.match(await flash(admin), /已邀请/);
  }
  await admin.fill('#motions input[name="text"]', '同意由物业维修单元门禁，费用从公共维修资金列支');
  await submit(admin, '#motions form[action$="/motions"] button[type="submit"]');
  assert.match(await flash(admin), /表决已开始/);
  assert.deepEqual(await overflow(admin), [], 'the meeting page is wider than the phone');
  await shot(admin, 'deliberation-meeting-phone');
  const roomLink = new URL(await admin.getAttribute('#room-link', 'href')).pathname;

  // In the room, each signs in and votes on the phone: two in favour, one against.
  for (const [page, p, choice] of [[a, people[0], 'yes'], [b, people[1], 'yes'], [c, people[2], 'no']]) {
    await page.goto(roomLink);
    await submit(page, '#checkin button[type="submit"]');
    assert.match(await flash(page), /签到成功/, p.name);
    await submit(page, `.motion button[value="${choice}"]`);
    assert.match(await flash(page), /投票成功/);
  }
  await submit(a, '.motion button[value="no"]');
  assert.match(await flash(a), /限投一票/);
  assert.deepEqual(await overflow(a), [], 'the ballot page is wider than the phone');
  await shot(a, 'deliberation-ballot-phone');

  await admin.reload();
  await submit(admin, '#motions form[action$="/close"] button[type="submit"]');
  assert.match(await flash(admin), /表决结果：通过/);
  assert.match(await admin.locator('#motions').textContent(), /应到 3，实到 3，赞成 2，反对 1/);
  await submit(admin, '#close-meeting');
  assert.match(await flash(admin), /会议纪要未填写/);
  await admin.fill('textarea[name="minutes"]', '会议讨论门禁维修方案，三位代表到会，表决通过，由物业实施。');
  await submit(admin, 'form[action$="/minutes"] button[type="submit"]');
  await submit(admin, '#close-meeting');
  assert.match(await flash(admin), /议事会已结束/);

  // The decision, with its owner, is published.
  await admin.goto(`/deliberation/topics/${topic}`);
  await admin.fill('#decide textarea[name="text"]', '由物业公司维修单元门禁，费用从公共维修资金列支。');
  await admin.selectOption('#decide select[name="owner_kind"]', 'property');
  await admin.fill('#decide input[name="owner_name"]', '南关物业服务公司');
  await admin.fill('#decide input[name="due_on"]', shanghai(new Date(Date.now() + 30 * 86_400_000)).slice(0, 10));
  await submit(admin, '#decide button[type="submit"]');
  assert.match(await flash(admin), /决议已形成/);
  await submit(admin, '#act-publish');
  assert.match(await admin.locator('h1 .tag').textContent(), /公示中/);
  await a.goto(`/public/deliberation/topics/${topic}`);
  assert.match(await a.locator('#decision').textContent(), /南关物业服务公司/);
  assert.match(await a.locator('#votes').textContent(), /赞成 2/);

  // The demo's decision at 60 % is finished, and the residents of its grid rate it.
  await admin.goto(`/deliberation/topics/${implementing.id}`);
  assert.match(await admin.locator('#decision-progress').textContent(), /60%/);
  await admin.fill('#progress input[name="progress"]', '100');
  await admin.fill('#progress textarea[name="note"]', '全部完成，居民代表验收通过');
  await submit(admin, '#progress button[type="submit"]');
  assert.match(await admin.locator('#decision-progress').textContent(), /100%/);
  await submit(admin, '#act-finish');
  assert.match(await admin.locator('h1 .tag').textContent(), /评议中/);
  for (const [page, p] of [[b, people[1]], [c, people[2]]]) {
    await page.goto(`/public/deliberation/topics/${implementing.id}`);
    await submit(page, '#rate button[type="submit"]');
    assert.match(await flash(page), /感谢评议/);
  }
  assert.match(await c.locator('#ratings').textContent(), /户评议/);
  await shot(c, 'deliberation-rated-phone');
  assert.deepEqual(staff.pageErrors.concat(...phones.map((x) => x.pageErrors)), []);
  assert.doesNotMatch(server.log(), /1391234000\d/, 'a resident\'s phone in the clear in the log');
  await staff.close();
  await Promise.all(phones.map((x) => x.close()));
});

test('the staff pages at desktop size: the list, a topic\'s whole path and the figures drill to records', async () => {
  const ctx = await context(browser, server, desktop);
  const page = await ctx.newPage();
  await signIn(page, 'admin');
  await page.goto('/deliberation');
  assert.ok((await page.locator('.topic-item').count()) >= 10, 'the demo\'s topics are listed');
  await shot(page, 'deliberation-list-desktop');
  await page.goto('/deliberation/topics?state=evaluating');
  await Promise.all([page.waitForURL(/\/deliberation\/topics\/\d+$/), page.locator('.topic-item a').first().click()]);
  for (const part of ['#meetings', '#votes', '#decision']) {
    assert.equal(await page.locator(part).count(), 1, `the path shows ${part}`);
  }
  await shot(page, 'deliberation-path-desktop');
  await page.goto('/deliberation/figures?from=2024-01-01&to=2024-10-15');
  assert.match(await page.locator('#fig-topics').textContent(), /6/);
  await shot(page, 'deliberation-figures-desktop');
  await Promise.all([page.waitForURL(/\/deliberation\/topics\?/), page.click('#fig-topics')]);
  assert.equal(await page.locator('.topic-item').count(), 6, 'the figure drills to its six topics');
  assert.deepEqual(ctx.pageErrors, []);
  await ctx.close();
});
