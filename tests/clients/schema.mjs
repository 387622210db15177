// Checks the schema with graphql-js, the reference implementation:
//  - schema.graphql builds and is a valid schema;
//  - every playground example validates against it;
//  - the live server's introspection is the same schema (no breaking or
//    dangerous difference either way).
// Usage: node schema.mjs http://127.0.0.1:PORT/graphql
// Exit: 0 ok, 1 a check failed, 2 usage error.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertValidSchema, buildClientSchema, buildSchema, findBreakingChanges,
  findDangerousChanges, getIntrospectionQuery, parse, validate,
} from 'graphql';

const url = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(url ?? '')) {
  console.error('usage: node schema.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const root = new URL('../..', import.meta.url).pathname;
let failures = 0;
const fail = (message) => { failures += 1; console.error(`FAIL ${message}`); };

const sdl = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
assertValidSchema(sdl);
console.log('ok   schema.graphql builds and is valid under graphql-js');

const dir = join(root, 'playground');
const examples = readdirSync(dir).filter((name) => name.endsWith('.graphql'));
if (examples.length === 0) fail('no playground examples found');
for (const name of examples) {
  const errors = validate(sdl, parse(readFileSync(join(dir, name), 'utf8')));
  if (errors.length > 0) fail(`playground/${name}: ${errors.map((e) => e.message).join('; ')}`);
}
console.log(`ok   ${examples.length} playground examples validate against it`);

const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) }),
});
const body = await response.json();
if (!response.ok || body.errors) {
  fail(`introspection answered ${response.status}: ${JSON.stringify(body.errors)}`);
} else {
  const live = buildClientSchema(body.data);
  const differences = [
    ...findBreakingChanges(sdl, live), ...findDangerousChanges(sdl, live),
    ...findBreakingChanges(live, sdl), ...findDangerousChanges(live, sdl),
  ];
  for (const d of differences) fail(`served schema differs from schema.graphql: ${d.type} ${d.description}`);
  if (differences.length === 0) console.log('ok   the served schema is schema.graphql');
}
process.exit(failures === 0 ? 0 : 1);
