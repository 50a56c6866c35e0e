// Every page in each role's menu, on a phone (390 px) and a desktop (1440 px): the document never
// scrolls sideways, no element reaches past the screen outside a box that scrolls on its own, no
// code such as snake_case shows in the text, the console stays clean, and axe-core finds no
// serious or critical accessibility violation (WCAG 2.1 AA).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, overflow } from '../lib/browser.js';

const require = createRequire(import.meta.url);
const axePath = path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js');
// axe-core is injected as a script, which the pages' CSP would refuse.
const wide = { viewport: { width: 1440, height: 900 }, bypassCSP: true };
const small = { ...phone, bypassCSP: true };
const roles = ['admin', 'grid01', 'worker01', 'street', 'district', 'mediator01', 'unit01', 'auditor', 'security'];

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

/** check lists what is wrong with the page now open. */
async function check(page) {
  const problems = [];
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (sideways > 1) problems.push(`the document scrolls ${sideways}px sideways`);
  for (const e of await overflow(page)) problems.push(`wider than the screen: ${e}`);
  const codes = await page.evaluate(() => {
    // Identifiers a page shows on purpose (a protocol's parameter names) are set in <code>.
    let text = document.querySelector('main')?.innerText || '';
    for (const c of document.querySelectorAll('main code')) text = text.split(c.innerText).join(' ');
    return [...new Set(text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) || [])].slice(0, 5);
  });
  if (codes.length) problems.push(`untranslated codes: ${codes.join(', ')}`);
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  problems.push(...found);
  return problems;
}

// Work pages a role reaches from its pages rather than from the menu, checked beside the menu's.
const beyondMenu = {
  admin: ['/cobuild/needs/review', '/activities/hours', '/deliberation/meetings', '/care-plans/residents'],
};

for (const user of roles) {
  for (const [size, device] of [['phone', small], ['desktop', wide]]) {
    test(`every menu page of ${user} on a ${size} fits and passes axe-core`, async () => {
      const ctx = await context(browser, server, device);
      const page = await ctx.newPage();
      await signIn(page, user);
      await page.goto('/');
      const menu = await page.$$eval('#main-nav a', (as) => as.map((a) => a.getAttribute('href')));
      const pages = [...new Set(['/', ...menu, '/notifications', ...(beyondMenu[user] || [])])];
      assert.ok(pages.length >= 2, `${user} has a menu`);
      const failures = [];
      for (const href of pages) {
        const res = await page.goto(href);
        if (res.status() >= 400) {
          failures.push(`${href}: status ${res.status()}`);
          continue;
        }
        for (const p of await check(page)) failures.push(`${href}: ${p}`);
      }
      for (const e of ctx.pageErrors) failures.push(e);
      assert.deepEqual(failures, [], `${user} on a ${size}`);
      await ctx.close();
    });
  }
}

test('the public pages fit and pass axe-core on a phone', async () => {
  const ctx = await context(browser, server, small);
  const page = await ctx.newPage();
  const failures = [];
  for (const href of ['/', '/report', '/track', '/login']) {
    await page.goto(href);
    for (const p of await check(page)) failures.push(`${href}: ${p}`);
  }
  assert.deepEqual(failures, []);
  await ctx.close();
});
