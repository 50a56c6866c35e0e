// Browser flows of the register: sign in, the grid map, a household from its building, a ledger import,
// and the same sign-in on a phone. Each flow saves screenshots under e2e/screenshots/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, repoDir } from '../lib/server.js';
import { launch, context, desktop, phone, signIn, shot, linkIDs, follow, rawID, rawPhone } from '../lib/browser.js';
import { xlsx, idNumber } from '../lib/xlsx.js';

let server;
let browser;

before(async () => {
  server = await start();
  console.log(`linli healthy after ${server.startupMs} ms at ${server.base}`);
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

async function visit(page, url) {
  const res = await page.goto(url);
  assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
  return res;
}

async function noRawNumbers(page) {
  // innerText keeps table cells apart, so adjacent figures do not run together into a long number.
  const text = await page.innerText('body');
  assert.doesNotMatch(text, rawID, `${page.url()} shows an unmasked ID number`);
  assert.doesNotMatch(text, rawPhone, `${page.url()} shows an unmasked phone number`);
}

function noPageErrors(ctx) {
  assert.deepEqual(ctx.pageErrors, [], 'scripts or the content security policy reported errors');
}

test('an admin signs in and lands on the home page of 南关社区', async () => {
  const { ctx, page } = await open();
  try {
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/', 'an anonymous visitor gets the residents\' home');
    await Promise.all([page.waitForURL(/\/login/), page.click('main a[href="/login"]')]);
    await shot(page, 'login');
    await signIn(page, 'admin');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.textContent('body'), /南关社区/);
    await shot(page, 'home');
    if (process.env.E2E_DOCS_SCREENSHOTS) {
      fs.mkdirSync(path.join(repoDir, 'docs', 'images'), { recursive: true });
      await page.screenshot({ path: path.join(repoDir, 'docs', 'images', 'home.png') });
    }
    await noRawNumbers(page);
    noPageErrors(ctx);
  } finally {
    await ctx.close();
  }
});

test('the grid map shows the ten grids of 南关社区, as polygons or as a list', async () => {
  const { ctx, page } = await open();
  try {
    await signIn(page, 'admin');
    await visit(page, '/grids');
    await page.waitForLoadState('networkidle');
    const polygons = await page.locator('.leaflet-overlay-pane path.leaflet-interactive').count();
    const listed = await linkIDs(page, '/grids/');
    await shot(page, 'grids');
    if (process.env.E2E_DOCS_SCREENSHOTS) {
      await page.screenshot({ path: path.join(repoDir, 'docs', 'images', 'grids.png') });
    }
    assert.ok(polygons === 10 || listed.length === 10,
      `want 10 grids: the map drew ${polygons} polygons and the page links ${listed.length} grids`);
    noPageErrors(ctx);
  } finally {
    await ctx.close();
  }
});

test('a household opens from its building page, with personal numbers masked', async () => {
  const { ctx, page } = await open();
  try {
    await signIn(page, 'admin');
    await visit(page, '/buildings');
    const buildings = await linkIDs(page, '/buildings/');
    assert.ok(buildings.length > 0, 'the building list links no building');
    await follow(page, '/buildings/', buildings[0]);
    await shot(page, 'building');
    const households = await linkIDs(page, '/households/');
    assert.ok(households.length > 0, 'the building page links no household');
    // Some households stand vacant: open them in turn until one has residents.
    const building = page.url();
    let residents = [];
    for (const id of households.slice(0, 8)) {
      await page.goto(building);
      await follow(page, '/households/', id);
      residents = await linkIDs(page, '/residents/');
      if (residents.length) break;
    }
    assert.ok(residents.length > 0, 'no household of the building lists a resident');
    await shot(page, 'household');
    await noRawNumbers(page);
    noPageErrors(ctx);
  } finally {
    await ctx.close();
  }
});

test('a small resident ledger imports from .xlsx and the result is shown', async () => {
  const { ctx, page } = await open();
  try {
    await signIn(page, 'admin');
    // The ledger names a building that exists in the demo, read from its page.
    await visit(page, '/buildings');
    const [first] = await linkIDs(page, '/buildings/');
    await visit(page, `/buildings/${first}`);
    const building = (await page.textContent('h1')).trim();
    const rows = [
      ['南关社区人口台账'],
      ['序号', '姓名', '性别', '身份证号', '联系电话', '楼栋', '单元', '门牌号'],
      ['1', '测试甲', '男', idNumber('620702', '19580312', 11), '13909360001', building, '1', '101'],
      ['2', '测试乙', '女', idNumber('620702', '19620704', 22), '13909360002', building, '1', '101'],
      ['3', '测试丙', '女', idNumber('620702', '19900101', 12), '139 0936 0003', building, '1', '102'],
    ];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linli-ledger-')), '人口台账.xlsx');
    fs.writeFileSync(file, xlsx(rows));

    await visit(page, '/imports');
    await page.setInputFiles('form[action="/imports"] input[type="file"]', file);
    await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.click('form[action="/imports"] [type="submit"]')]);
    await shot(page, 'import-check');
    const check = await page.innerText('main');
    assert.match(check, /有效 3 行/, `the check did not accept the three rows:\n${check.slice(0, 1500)}`);
    // The commit button asks for confirmation first.
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/commit"] [type="submit"]')]);
    // htmx refreshes the progress; a reload does the same where it has not yet.
    let result = '';
    for (let i = 0; i < 30; i++) {
      result = await page.innerText('main');
      if (/导入完成/.test(result)) break;
      await page.waitForTimeout(1000);
      if (i % 5 === 4) await page.reload();
    }
    await shot(page, 'import-done');
    if (dialogs.length !== 1) console.log(`note: committing the import asked ${dialogs.length} times: ${dialogs.join(' / ')}`);
    assert.match(result, /导入完成/, `the import did not finish:\n${result.slice(0, 1500)}`);
    assert.match(result.replace(/\s+/g, ' '), /3 新增居民/, 'the result does not count three new residents');
    await noRawNumbers(page);
    await visit(page, '/residents?q=' + encodeURIComponent('测试甲'));
    assert.equal((await linkIDs(page, '/residents/')).length, 1, 'the imported resident is not found by name');
    await noRawNumbers(page);
    noPageErrors(ctx);
  } finally {
    await ctx.close();
  }
});

test('on a phone, a user signs in, sees the home page and opens a resident', async () => {
  const { ctx, page } = await open(phone);
  try {
    await signIn(page, 'admin');
    assert.match(await page.textContent('body'), /南关社区/);
    await shot(page, 'phone-home');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the home page is ${overflow}px wider than the phone screen`);
    await visit(page, '/residents');
    const residents = await linkIDs(page, '/residents/');
    assert.ok(residents.length > 0, 'the resident list links no resident');
    await follow(page, '/residents/', residents[0]);
    await shot(page, 'phone-resident');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 1, `the resident page is ${wide}px wider than the phone screen`);
    await noRawNumbers(page);
    noPageErrors(ctx);
  } finally {
    await ctx.close();
  }
});
