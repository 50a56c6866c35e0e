// The hotline desk's list: a caller found by the last four digits of the number and by name,
// the list sorted, the export link carrying exactly the filters on screen, the 待定位 tab, and
// the calendar notice for the administrator — at desktop and phone size.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, shotsDir } from '../lib/server.js';
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

for (const [size, device] of [['desktop', { viewport: { width: 1440, height: 900 } }], ['phone', phone]]) {
  test(`a dispatcher searches, sorts and exports what is on screen (${size})`, async () => {
    const ctx = await context(browser, server, device);
    const page = await ctx.newPage();
    await signIn(page, 'admin');
    await page.goto('/cases');
    if (!(await page.locator('form.filters').isVisible())) {
      await page.click('details.filter-fold > summary'); // on a phone the filters fold behind one button
    }
    await page.fill('input[name="name"]', '张');
    await page.selectOption('select[name="sort"]', '-updated');
    await page.click('form.filters button[type="submit"]');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('name'), '张');
    assert.equal(url.searchParams.get('sort'), '-updated');
    const href = await page.getAttribute('a:has-text("导出Excel")', 'href');
    const exported = new URL(href, url);
    assert.equal(exported.pathname, '/cases/export.xlsx');
    assert.equal(exported.searchParams.get('name'), '张', `the export link ${href} drops the name`);
    assert.equal(exported.searchParams.get('sort'), '-updated', `the export link ${href} drops the sort`);
    assert.doesNotMatch(await page.textContent('main'), rawPhone);
    assert.deepEqual(await overflow(page), [], 'the list is wider than the screen');
    await shot(page, `cases-desk-search-${size}`);
    // The top of the screen as the user first sees it: the notice, the tabs, the search fields.
    await page.screenshot({ path: path.join(shotsDir, `cases-desk-search-${size}-top.png`) });
    await page.goto('/cases?queue=to_locate');
    assert.match(await page.textContent('nav.tabs a.active'), /待定位/);
    assert.deepEqual(await overflow(page), [], 'the 待定位 list is wider than the screen');
    await shot(page, `cases-desk-to-locate-${size}`);
    await page.screenshot({ path: path.join(shotsDir, `cases-desk-to-locate-${size}-top.png`) });
    await ctx.close();
  });
}
