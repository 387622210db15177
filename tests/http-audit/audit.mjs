// GraphQL-over-HTTP conformance audit for a running cinegraph server.
//
// Runs every audit from graphql-http's `serverAudits` (the reference
// implementation of the GraphQL over HTTP spec) against the given endpoint and
// prints one line per audit:
//   PASS  - audit ok
//   FAIL  - a MUST or SHOULD audit failed (or the audit could not run)
//   WARN  - a MAY audit failed (optional; does not affect the exit code)
//
// Usage:  node audit.mjs http://127.0.0.1:PORT/graphql
// Exit:   0 all MUST/SHOULD audits ok, 1 some failed, 2 usage error.

import { serverAudits } from 'graphql-http';

const BODY_LIMIT = 300;

const url = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(url ?? '')) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const oneLine = (s) => s.replace(/\s+/g, ' ').trim();
const cut = (s) => (s.length > BODY_LIMIT ? `${s.slice(0, BODY_LIMIT)}…` : s);

// Describe what the server answered: status, content-type and (cut) body.
async function describe(res) {
  if (!res) return '';
  let body;
  try {
    body = cut(oneLine(await res.text()));
  } catch {
    body = '<body unreadable>';
  }
  const type = res.headers.get('content-type') ?? '<no content-type>';
  return ` | got ${res.status} ${type}: ${body || '<empty body>'}`;
}

const counts = { PASS: 0, FAIL: 0, WARN: 0 };
for (const { id, name, fn } of serverAudits({ url, fetchFn: fetch })) {
  let verdict;
  let detail = '';
  try {
    const result = await fn();
    if (result.status === 'ok') {
      verdict = 'PASS';
    } else {
      verdict = name.startsWith('MAY') ? 'WARN' : 'FAIL';
      detail = ` — ${result.reason}${await describe(result.response)}`;
    }
  } catch (err) {
    // graphql-http only throws on fatal problems (e.g. connection refused).
    verdict = 'FAIL';
    detail = ` — fatal: ${err?.cause?.message ?? err?.message ?? err}`;
  }
  counts[verdict]++;
  console.log(`${verdict} ${id} ${name}${detail}`);
}

console.log(
  `\n${counts.PASS} passed, ${counts.FAIL} failed, ${counts.WARN} warned (MAY) — ` +
    `${counts.PASS + counts.FAIL + counts.WARN} audits against ${url}`,
);
process.exit(counts.FAIL > 0 ? 1 : 0);
