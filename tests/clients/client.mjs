// Drives a live cinegraph with independent clients: graphql-request over HTTP
// and graphql-ws over WebSocket. It reads the film page, walks a paged list to
// its end, signs up and in, rates a film, and sees the rating arrive on a
// subscription.
// Usage: node client.mjs http://127.0.0.1:PORT/graphql
// Exit: 0 ok, 1 a check failed, 2 usage error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const url = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(url ?? '')) {
  console.error('usage: node client.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const playground = (name) => readFileSync(new URL(`../../playground/${name}`, import.meta.url), 'utf8');
const anonymous = new GraphQLClient(url);
const step = (message) => console.log(`ok   ${message}`);

// 1. The whole film page, as the playground's example asks for it.
const page = await anonymous.request(playground('film-page.graphql'));
assert.equal(page.film.title, 'Leaving Las Vegas');
const cast = JSON.stringify(page.film);
assert.ok(cast.includes('Nicolas Cage') && cast.includes('Elisabeth Shue'), 'the page names its leads');
const filmId = (await anonymous.request(gql`{ film(by: { slug: "leaving-las-vegas" }) { id } }`)).film.id;
step('the film page of Leaving Las Vegas');

// 2. A filmography walked page by page to its end: no gaps, no duplicates.
const credits = gql`
  query Credits($after: String) {
    person(by: { slug: "nicolas-cage" }) {
      credits(first: 15, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id title } }
      }
    }
  }`;
const seen = new Set();
let after = null;
let totalCount = 0;
let pages = 0;
for (;;) {
  const { person } = await anonymous.request(credits, { after });
  const connection = person.credits;
  totalCount = connection.totalCount;
  for (const edge of connection.edges) {
    assert.ok(!seen.has(edge.cursor), `cursor ${edge.cursor} came twice`);
    seen.add(edge.cursor);
  }
  pages += 1;
  assert.ok(pages < 100, 'the walk does not end');
  if (!connection.pageInfo.hasNextPage) break;
  after = connection.pageInfo.endCursor;
}
assert.ok(pages > 1, 'the filmography spans several pages');
assert.equal(seen.size, totalCount, 'every credit once, as many as totalCount');
step(`Nicolas Cage's ${totalCount} credits walked over ${pages} pages`);

// 3. Sign up, then sign in with the same credentials.
const username = `client_${process.pid}_${Date.now() % 100000}`;
const password = 'a long client password';
const signUp = gql`mutation ($input: Credentials!) { signUp(input: $input) { user { username } } }`;
const signIn = gql`mutation ($input: Credentials!) { session: signIn(input: $input) { token user { username } } }`;
await anonymous.request(signUp, { input: { username, password } });
const { session } = await anonymous.request(signIn, { input: { username, password } });
assert.equal(session.user.username, username);
const user = new GraphQLClient(url, { headers: { authorization: `Bearer ${session.token}` } });
step(`signed up and signed in as ${username}`);

// 4. A subscription to the film's rating summary, then a rating.
const sockets = createClient({ url: url.replace(/^http/, 'ws') + '/ws', webSocketImpl: WebSocket, lazy: false });
const events = [];
let notify = () => {};
const stop = sockets.subscribe(
  { query: 'subscription ($filmId: ID!) { filmRatingChanged(filmId: $filmId) { count average } }', variables: { filmId } },
  {
    next: (event) => { events.push(event); notify(); },
    error: (error) => { console.error('FAIL subscription error', error); process.exit(1); },
    complete: () => {},
  },
);
const nextEvent = (count) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no rating event after ${count} events in 10 s`)), 10000);
  notify = () => { if (events.length > count) { clearTimeout(timer); resolve(events[count]); } };
  notify();
});
const before = (await nextEvent(0)).data.filmRatingChanged;

const rate = gql`mutation ($filmId: ID!, $score: Int!) {
  rateFilm(input: { filmId: $filmId, score: $score }) { rating { score } film { ratingSummary { count average } } }
}`;
const rated = await user.request(rate, { filmId, score: 8 });
assert.equal(rated.rateFilm.rating.score, 8);
assert.equal(rated.rateFilm.film.ratingSummary.count, before.count + 1);
const after_ = (await nextEvent(1)).data.filmRatingChanged;
assert.equal(after_.count, before.count + 1, 'the subscription saw the new rating');
step(`rated the film 8; the subscription saw ${before.count} -> ${after_.count} ratings`);

// 5. An out-of-range score is the client's error, with a code it can act on.
try {
  await user.request(rate, { filmId, score: 11 });
  assert.fail('a score of 11 was accepted');
} catch (error) {
  assert.ok(error instanceof ClientError, String(error));
  assert.equal(error.response.errors[0].extensions.code, 'BAD_USER_INPUT');
}
step('a score of 11 is BAD_USER_INPUT');

stop();
await sockets.dispose();
console.log('all client checks passed');
