// The cases pages staff use on a phone (grid leaders and workers) fit a 390 px wide screen: nothing
// pushes the page wider than the screen, so no sideways scrolling is needed to read or act.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../lib/server.js';
import { launch, context, phone, signIn, linkIDs, shot } from '../lib/browser.js';

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

/** overflow lists the elements that reach past the right edge of the screen, except inside a box
 * that scrolls on its own (tables, the queue tabs). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (e) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    return [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent || '').trim().slice(0, 40)}`);
  });
}

test('a grid leader reads and works cases on a phone without sideways scrolling', async () => {
  const ctx = await context(browser, server, phone);
  const page = await ctx.newPage();
  await signIn(page, 'grid01');
  await page.goto('/cases?queue=mine');
  const ids = await linkIDs(page, '/cases/');
  assert.ok(ids.length > 0, 'the grid leader has cases');
  for (const path of ['/cases', '/cases?queue=mine', `/cases/${ids[0]}`, `/cases/${ids[0]}/print`, '/cases/new', '/cases/dashboard']) {
    const res = await page.goto(path);
    assert.equal(res.status(), 200, path);
    assert.deepEqual(await overflow(page), [], `${path} is wider than the phone`);
  }
  await page.goto(`/cases/${ids[0]}`);
  await shot(page, 'cases-case-phone');
  await ctx.close();
});
