// Open311 GeoReport v2 (issue 17) as a third-party civic app uses it: the security admin issues a
// key on the Open311 page (phone and desktop), then a small Open311 client — plain fetch and the
// browser's DOMParser, nothing of Linli's — walks discovery → services → a service definition →
// POST a request → GET it back, in XML and JSON, as any client built on the specification would.
// The request is then found as a case of channel open311, and nothing personal comes back.

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

/**
 * open311Client runs in a page: a minimal GeoReport v2 client. It reads the endpoint from the
 * discovery document, the first service and its definition, posts a request with the required
 * attributes filled, and reads the request back by its id in both formats.
 */
async function open311Client({ apiKey, phoneNumber }) {
  const xml = async (url, init) => {
    const res = await fetch(url, init);
    const text = await res.text();
    const doc = new DOMParser().parseFromString(text, 'text/xml');
    if (doc.querySelector('parsererror')) throw new Error(`${url}: not XML: ${text.slice(0, 200)}`);
    return { status: res.status, type: res.headers.get('content-type'), doc, text };
  };
  const kids = (el) => [...el.children].map((c) => c.tagName);
  const val = (el, name) => el.querySelector(`:scope > ${name}`)?.textContent ?? null;

  const disco = await xml('/open311/discovery.xml');
  const endpoint = [...disco.doc.querySelectorAll('endpoints > endpoint')]
    .find((e) => val(e, 'type') === 'production' && [...e.querySelectorAll('formats > format')].some((f) => f.textContent === 'text/xml'));
  const base = val(endpoint, 'url');
  const discoJSON = await (await fetch('/open311/discovery.json')).json();

  const services = await xml(`${base}/services.xml`);
  const service = services.doc.querySelector('services > service');
  const code = val(service, 'service_code');
  const servicesJSON = await (await fetch(`${base}/services.json`)).json();

  const def = await xml(`${base}/services/${encodeURIComponent(code)}.xml`);
  const attrs = [...def.doc.querySelectorAll('service_definition > attributes > attribute')].map((a) => ({
    code: val(a, 'code'), variable: val(a, 'variable') === 'true', required: val(a, 'required') === 'true',
    datatype: val(a, 'datatype'), order: Number(val(a, 'order')), elements: kids(a),
    values: [...a.querySelectorAll('values > value')].map((v) => val(v, 'key')),
  }));

  const form = new URLSearchParams({ api_key: apiKey, service_code: code, lat: '38.9262', long: '100.4478',
    address_string: '南关社区南街口', description: `路口垃圾堆了好几天，麻烦尽快清运，我的电话${phoneNumber}`,
    first_name: '王', last_name: '小明', phone: phoneNumber, email: 'wang@example.com' });
  for (const a of attrs) {
    if (a.variable && a.required) form.set(`attribute[${a.code}]`, a.datatype.endsWith('list') ? a.values[0] : '南关社区南街口');
  }
  form.set('attribute[coord_system]', 'wgs84');
  const posted = await xml(`${base}/requests.xml`, { method: 'POST', body: form });
  const answer = posted.doc.querySelector('service_requests > request');
  const id = val(answer, 'service_request_id');

  const one = await xml(`${base}/requests/${encodeURIComponent(id)}.xml?api_key=${encodeURIComponent(apiKey)}`);
  const req = one.doc.querySelector('service_requests > request');
  const oneJSON = await fetch(`${base}/requests/${encodeURIComponent(id)}.json?api_key=${encodeURIComponent(apiKey)}`);
  const list = await (await fetch(`${base}/requests.json?api_key=${encodeURIComponent(apiKey)}&status=open`)).json();
  const token = await xml(`${base}/tokens/${val(answer, 'token')}.xml?api_key=${encodeURIComponent(apiKey)}`);
  const noKey = await xml(`${base}/requests.xml`, { method: 'POST', body: new URLSearchParams({ service_code: code }) });

  return {
    base, discoRoot: disco.doc.documentElement.tagName, discoType: disco.type, discoJSONEndpoints: discoJSON.endpoints.length,
    serviceCount: services.doc.querySelectorAll('services > service').length, serviceJSONCount: servicesJSON.length,
    serviceElements: kids(service), code, attrs,
    postStatus: posted.status, postType: posted.type, postElements: kids(answer), id,
    requestCount: one.doc.querySelectorAll('service_requests > request').length, requestElements: kids(req),
    status: val(req, 'status'), serviceCode: val(req, 'service_code'), requested: val(req, 'requested_datetime'),
    lat: val(req, 'lat'), oneXML: one.text, oneJSONType: oneJSON.headers.get('content-type'), oneJSON: await oneJSON.text(),
    listed: list.some((r) => r.service_request_id === id),
    tokenID: val(token.doc.querySelector('service_requests > request'), 'service_request_id'),
    noKeyStatus: noKey.status, noKeyError: kids(noKey.doc.documentElement), noKeyDesc: noKey.doc.querySelector('errors > error > description')?.textContent,
  };
}

test('a third-party client walks discovery, services, a definition, posts a request and reads it back', async () => {
  // The security admin issues a key for 南关社区 on a phone.
  const admin = await context(browser, server, phone);
  let page = await admin.newPage();
  await signIn(page, 'security');
  await page.goto('/admin/open311');
  assert.deepEqual(await overflow(page), [], 'the Open311 page is wider than the phone');
  await page.fill('input[name="name"]', '城市服务App');
  const nanguan = await page.locator('form[action="/admin/open311/keys"] select[name="region_id"] option', { hasText: '南关社区' }).first().getAttribute('value');
  await page.selectOption('form[action="/admin/open311/keys"] select[name="region_id"]', nanguan);
  await Promise.all([page.waitForURL('**/admin/open311/keys'), page.click('form[action="/admin/open311/keys"] button[type="submit"]')]);
  const apiKey = (await page.locator('strong.secret').innerText()).trim();
  assert.match(apiKey, /^o311_[a-z0-9]+$/);
  assert.deepEqual(await overflow(page), [], 'the page with the new key is wider than the phone');
  await shot(page, 'open311-key-phone');
  assert.deepEqual(admin.pageErrors, []);
  await admin.close();

  // The client, in a page of its own with no session: only fetch and the specification.
  const anon = await context(browser, server, desktop);
  page = await anon.newPage();
  await page.goto('/open311/discovery.json');
  const phoneNumber = '13987654321';
  const r = await page.evaluate(open311Client, { apiKey, phoneNumber });

  assert.equal(r.discoRoot, 'discovery');
  assert.equal(r.discoType, 'text/xml; charset=utf-8');
  assert.equal(r.discoJSONEndpoints, 1);
  assert.equal(r.base, `${server.base}/open311/v2`);
  assert.ok(r.serviceCount >= 20 && r.serviceCount === r.serviceJSONCount, `services: ${r.serviceCount} in XML, ${r.serviceJSONCount} in JSON`);
  assert.deepEqual(r.serviceElements, ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
  assert.ok(r.attrs.length >= 1);
  for (const a of r.attrs) {
    assert.deepEqual(a.elements.slice(0, 7), ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description']);
  }
  assert.deepEqual(r.attrs.map((a) => a.order), r.attrs.map((_, i) => i + 1), 'attributes are ordered 1, 2, …');

  assert.equal(r.postStatus, 200);
  assert.equal(r.postType, 'text/xml; charset=utf-8');
  assert.deepEqual(r.postElements, ['service_request_id', 'token', 'service_notice', 'account_id']);
  assert.equal(r.requestCount, 1, 'GET requests/{id} answers an array of one');
  assert.deepEqual(r.requestElements, ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code',
    'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime',
    'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']);
  assert.equal(r.status, 'open');
  assert.equal(r.serviceCode, r.code);
  assert.match(r.requested, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  assert.equal(r.lat, '38.9262');
  assert.equal(r.oneJSONType, 'application/json; charset=utf-8');
  assert.equal(JSON.parse(r.oneJSON)[0].service_request_id, r.id);
  assert.ok(r.listed, 'the new request is among the open ones');
  assert.equal(r.tokenID, r.id, 'the token resolves to the request');
  assert.equal(r.noKeyStatus, 403);
  assert.deepEqual(r.noKeyError, ['error']);
  assert.match(r.noKeyDesc, /api_key/);
  for (const body of [r.oneXML, r.oneJSON]) {
    assert.doesNotMatch(body, rawPhone, 'a phone number came back');
    assert.doesNotMatch(body, /小明|wang@example\.com/, 'the reporter came back');
  }
  assert.deepEqual(anon.pageErrors.filter((e) => !e.includes('/open311/v2/requests.xml answered 403')), []);
  await anon.close();

  // Staff find it as a case of channel Open311 and the admin page counts the key's use.
  const staff = await context(browser, server, desktop);
  page = await staff.newPage();
  await signIn(page, 'admin');
  await page.goto('/cases?channel=open311');
  assert.match(await page.innerText('main'), new RegExp(r.id));
  await staff.close();

  const sec = await context(browser, server, desktop);
  page = await sec.newPage();
  await signIn(page, 'security');
  await page.goto('/admin/open311');
  const row = await page.locator('tr', { hasText: '城市服务App' }).innerText();
  assert.match(row, /启用/);
  assert.doesNotMatch(await page.innerText('main'), new RegExp(apiKey), 'the key is shown again');
  await shot(page, 'open311-keys-desktop');
  await page.locator('tr', { hasText: '城市服务App' }).locator('button').click();
  await page.waitForURL('**/admin/open311');
  assert.match(await page.locator('tr', { hasText: '城市服务App' }).innerText(), /已停用/);
  assert.deepEqual(sec.pageErrors, []);
  await sec.close();
  const revoked = await fetch(`${server.base}/open311/v2/requests.json?api_key=${apiKey}`);
  assert.equal(revoked.status, 403);
});
