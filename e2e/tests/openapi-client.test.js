// The API document generates a usable typed client: openapi-typescript turns /api/v1/openapi.json
// into TypeScript, and a small client that reads fields of list items compiles under --strict.
// When a list's items were untyped (unknown), reading item.name would not compile.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import openapiTS, { astToString } from 'openapi-typescript';
import { start } from '../lib/server.js';

const require = createRequire(import.meta.url);
const ts = require('typescript');

let server;

before(async () => {
  server = await start();
});

after(async () => {
  await server?.stop();
});

const client = `
import type { paths } from './api';

type Ok<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer B } } } } } ? B : never;

declare const residents: Ok<'/api/v1/residents'>;
declare const cases: Ok<'/api/v1/cases'>;
declare const visits: Ok<'/api/v1/visits'>;
declare const notifications: Ok<'/api/v1/notifications'>;

export const name: string = residents.items[0].name;
export const total: number = residents.total;
export const caseNumber: string = cases.items[0].number;
export const visitedOn: string = visits.items[0].visited_on;
export const title: string = notifications.items[0].title;
`;

test('openapi-typescript generates a client whose list items have their fields', async () => {
  const doc = await (await fetch(server.base + '/api/v1/openapi.json')).json();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-openapi-'));
  fs.writeFileSync(path.join(dir, 'api.ts'), astToString(await openapiTS(doc)));
  fs.writeFileSync(path.join(dir, 'client.ts'), client);
  const program = ts.createProgram([path.join(dir, 'client.ts')], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [],
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, []);
});
