// Composes cinegraph as a Federation v2 subgraph with Apollo's own
// composition (@apollo/composition, what rover and GraphOS run):
//  - fetches `_service { sdl }` from a live server;
//  - adds a small second subgraph that extends Film by its @key;
//  - composes both into a supergraph and checks that the supergraph has
//    cinegraph's roots, the second subgraph's field on Film, and the keys.
// Usage: node compose.mjs http://127.0.0.1:PORT/graphql
// Exit: 0 composed, 1 composition or a check failed, 2 usage error.
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const url = process.argv[2];
if (process.argv.length !== 3 || !/^https?:\/\//.test(url ?? '')) {
  console.error('usage: node compose.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query: '{ _service { sdl } }' }),
});
const body = await response.json();
const sdl = body?.data?._service?.sdl;
if (!response.ok || typeof sdl !== 'string') {
  console.error(`FAIL _service answered ${response.status}: ${JSON.stringify(body)}`);
  process.exit(1);
}
console.log('ok   fetched _service { sdl }');

// Another team's subgraph: it knows a film only by its key and adds a field.
const watchlists = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Film @key(fields: "id") {
    id: ID!
    "How many watchlists hold the film."
    watchlistCount: Int!
  }

  type Query {
    "The films most often on watchlists."
    mostWatchlisted: [Film!]!
  }
`;

const result = composeServices([
  { name: 'cinegraph', url, typeDefs: parse(sdl) },
  { name: 'watchlists', url: 'http://watchlists.invalid/graphql', typeDefs: parse(watchlists) },
]);
if (result.errors?.length) {
  for (const error of result.errors) console.error(`FAIL ${error.message}`);
  process.exit(1);
}
console.log('ok   the two subgraphs compose into a supergraph');

let failures = 0;
const expect = (condition, message) => {
  if (condition) console.log(`ok   ${message}`);
  else { failures += 1; console.error(`FAIL ${message}`); }
};
const api = result.schema.toAPISchema().toGraphQLJSSchema();
const query = api.getQueryType();
expect(query?.getFields().film && query.getFields().mostWatchlisted,
  'Query has cinegraph\'s film and the other subgraph\'s mostWatchlisted');
expect(api.getMutationType()?.getFields().rateFilm, 'Mutation has cinegraph\'s rateFilm');
const film = api.getType('Film')?.getFields();
expect(film?.title && film?.watchlistCount, 'Film has cinegraph\'s title and the other subgraph\'s watchlistCount');
for (const entity of ['Film', 'Person', 'Product']) {
  expect(new RegExp(`type ${entity}\\b[^{]*@join__type\\(graph: CINEGRAPH, key: "id"\\)`).test(result.supergraphSdl),
    `${entity} is an entity of cinegraph keyed by id`);
}
const warnings = result.hints?.length ?? 0;
console.log(`     ${warnings} composition hints`);
process.exit(failures === 0 ? 0 : 1);
