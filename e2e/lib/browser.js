// Drives the system Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) with playwright-core.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { shotsDir, demoPassword } from './server.js';

export function chromiumPath() {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return '';
}

/** launch starts headless Chromium with a fresh profile and no background traffic. */
export async function launch() {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium: install Debian\'s chromium or set CHROMIUM');
  // playwright-core gives every launch its own new temporary user-data-dir.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export const desktop = { viewport: { width: 1280, height: 800 } };
export const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** context opens a browser context in Chinese, Beijing time, collecting page errors. */
export async function context(browser, server, device = desktop) {
  const ctx = await browser.newContext({ ...device, baseURL: server.base, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  ctx.setDefaultTimeout(15_000);
  ctx.pageErrors = [];
  ctx.on('page', (page) => watch(ctx, page));
  return ctx;
}

function watch(ctx, page) {
  page.on('pageerror', (err) => ctx.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // Failed loads are reported with their address by the response listener below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      ctx.pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    }
  });
  page.on('response', (res) => {
    const req = res.request();
    const url = new URL(res.url());
    if (res.status() >= 400 && req.resourceType() !== 'document' && url.pathname !== '/favicon.ico') {
      ctx.pageErrors.push(`${page.url()}: ${req.resourceType()} ${url.pathname} answered ${res.status()}`);
    }
  });
}

/** signIn signs in through the form and waits for the page after it. */
export async function signIn(page, username) {
  await page.goto('/login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', demoPassword);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] [type="submit"]')]);
  if (new URL(page.url()).pathname.startsWith('/login')) {
    const alert = await page.locator('[role="alert"]').allTextContents();
    throw new Error(`sign-in as ${username} failed: ${alert.join(' ') || 'still on the sign-in page'}`);
  }
}

/** shot saves a full-page screenshot under e2e/screenshots/ (kept as a CI artifact); with
 * { fullPage: false } only what the screen shows first. */
export async function shot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage });
}

/** ids returns the distinct numeric ids of the links on the page whose path is prefix + id. */
export async function linkIDs(page, prefix) {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  const re = new RegExp('^' + prefix.replace(/[/]/g, '\\/') + '(\\d+)(?:[?#].*)?$');
  return [...new Set(hrefs.map((h) => (h.match(re) || [])[1]).filter(Boolean))];
}

/** Personal numbers that must never appear unmasked: an 18-digit ID number or an 11-digit mobile. */
export const rawID = /(?<![\d*])\d{17}[\dXx](?![\d*])/;
export const rawPhone = /(?<![\d*])1[3-9]\d{9}(?![\d*])/;

/** follow clicks the first link to prefix + id (exactly that id) and waits for its page. */
export async function follow(page, prefix, id) {
  const p = prefix + id;
  const link = page.locator(`a[href="${p}"], a[href^="${p}?"], a[href^="${p}#"]`).first();
  await Promise.all([page.waitForURL((u) => u.pathname === p), link.click()]);
}

/** overflow lists the elements that reach past the right edge of the screen, except inside a box
 * that scrolls on its own (tables, the queue tabs): empty when the page fits. */
export async function overflow(page) {
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

/**
 * reportIn answers the public report form's first question — which community — with name: the
 * demo street holds three communities, so /report asks before it shows the form.
 */
export async function reportIn(page, name = '南关社区') {
  const label = await page.$eval('select[name="community"]', (s, n) => [...s.options].find((o) => o.textContent.trim().endsWith(n)).textContent.trim(), name);
  await page.selectOption('select[name="community"]', { label });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/report"] button[type="submit"]')]);
}
