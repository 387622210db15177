// Loads the playground in headless Chromium (Debian's, driven by
// playwright-core; no browser download), runs the film page example and
// checks the result pane shows the film's title and cast; then opens two more
// examples from the picker (a search, and the rating subscription over the
// WebSocket endpoint) and checks their answers. Saves a screenshot of each.
// Usage: node playground.mjs http://127.0.0.1:PORT/ [screenshot dir]
// Exit: 0 ok, 1 a check failed, 2 usage error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2];
if (!/^https?:\/\//.test(base ?? '')) {
  console.error('usage: node playground.mjs http://127.0.0.1:PORT/ [screenshot dir]');
  process.exit(2);
}
const shots = process.argv[3] ?? 'screenshots';
mkdirSync(shots, { recursive: true });
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));

  await page.goto(base, { waitUntil: 'load' });
  await page.locator('.graphiql-query-editor .view-lines').first().waitFor({ timeout: 30000 });
  const editor = await text(page, '.graphiql-query-editor .view-lines');
  check(editor.includes('query FilmPage'), 'the playground opens on the film page example');

  await run(page, 'Leaving Las Vegas');
  await page.screenshot({ path: join(shots, 'film-page.png'), clip: { x: 0, y: 0, width: 1400, height: 1000 } });
  const responseText = await scrolledText(page, '.graphiql-response');
  check(responseText.includes('"title": "Leaving Las Vegas"'), 'the result pane shows the title');
  for (const name of ['Nicolas Cage', 'Elisabeth Shue']) {
    check(responseText.includes(`"name": "${name}"`), `the result pane shows ${name} in the cast`);
  }

  // The header editor carries a bearer token: sign up, paste the token as
  // the Authorization header in a new tab, and `me` answers with the user.
  const username = `browser_${Date.now() % 1000000}`;
  const token = await page.evaluate(async (name) => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($input: Credentials!) { signUp(input: $input) { token } }',
        variables: { input: { username: name, password: 'a long browser password' } },
      }),
    });
    return (await response.json()).data.signUp.token;
  }, username);
  await page.locator('button[aria-label="New tab"]').click();
  await replaceText(page, '.graphiql-query-editor', 'query Me { me { username } }');
  await page.getByText('Headers', { exact: true }).first().click();
  await replaceText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${token}` }));
  const me = await run(page, username);
  check(me.includes(`"username": "${username}"`), 'a bearer token set in the header editor signs the request in');

  // The picker opens examples in new tabs.
  await page.locator('button[aria-label="Show Examples"]').click();
  await page.locator('button[data-example="search"]').click();
  await page.screenshot({ path: join(shots, 'examples.png'), clip: { x: 0, y: 0, width: 1400, height: 1000 } });
  // Closing the picker gives the result pane its room back.
  await page.locator('button[aria-label="Hide Examples"]').click();
  await editorShows(page, 'query Search');
  const search = await run(page, 'Nicolas Cage');
  check(search.includes('"name": "Nicolas Cage"'), 'the search example finds Nicolas Cage');

  await page.locator('button[aria-label="Show Examples"]').click();
  await page.locator('button[data-example="rating-changes"]').click();
  await page.locator('button[aria-label="Hide Examples"]').click();
  await editorShows(page, 'subscription RatingChanges');
  // Any line of the answer: the pane shows only the lines in view, and
  // where it stands in a long answer varies (extensions.cost made it longer).
  await run(page, '"count"');
  const live = await scrolledText(page, '.graphiql-response');
  // The histogram's buckets ({ score, count }): only the subscription's
  // answer has them (the pane may not scroll back to its first line).
  check(live.includes('"score"') && live.includes('"count"'), 'the subscription example answers over the WebSocket');
  await page.screenshot({ path: join(shots, 'subscription.png'), clip: { x: 0, y: 0, width: 1400, height: 1000 } });

  for (const problem of problems) check(false, problem);
} catch (error) {
  failed = true;
  console.error(`FAIL ${error.stack ?? error}`);
  const pages = browser.contexts().flatMap((context) => context.pages());
  if (pages.length > 0) {
    await pages[0].screenshot({ path: join(shots, 'failure.png') }).catch(() => {});
    console.error(`screenshot of the failure: ${join(shots, 'failure.png')}`);
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
}

/** The text of an editor as shown, with Monaco's no-break spaces made plain. */
async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).replace(/\u00a0/g, ' ');
}

/** Waits until the query editor of the active tab shows `text`. */
async function editorShows(page, text) {
  await page.waitForFunction(
    (wanted) => (document.querySelector('.graphiql-query-editor .view-lines')?.innerText ?? '')
      .replace(/\u00a0/g, ' ').includes(wanted),
    text,
    { timeout: 10000 },
  );
}

/** Replaces the whole text of the Monaco editor inside `selector`. */
async function replaceText(page, selector, value) {
  await page.locator(`${selector} .view-lines`).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(value);
}

/**
 * Everything a pane shows from top to bottom: Monaco renders only the lines
 * in view, so this scrolls the pane with the mouse wheel and collects them.
 */
async function scrolledText(page, pane) {
  const box = await page.locator(pane).first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -1e6);
  await page.waitForTimeout(50);
  let seen = '';
  let unchanged = 0;
  for (let step = 0; step < 200 && unchanged < 3; step += 1) {
    const shown = await text(page, `${pane} .view-lines`);
    if (seen.includes(shown)) unchanged += 1; else { unchanged = 0; seen += `\n${shown}`; }
    await page.mouse.wheel(0, box.height / 2);
    await page.waitForTimeout(30);
  }
  return seen;
}

/** Runs the active tab and waits until the result pane shows `expected`. */
async function run(page, expected) {
  await page.locator('.graphiql-execute-button').click();
  const pane = '.graphiql-response .view-lines';
  await page.waitForFunction(
    ([selector, wanted]) => (document.querySelector(selector)?.innerText ?? '').replace(/\u00a0/g, ' ').includes(wanted),
    [pane, expected],
    { timeout: 20000 },
  );
  return text(page, pane);
}
