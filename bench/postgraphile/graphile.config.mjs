// PostGraphile 5 over cinegraph's tables (schema `public`), as a user would
// run it: the amber preset plus the connection filter plugin (with relation
// filters, so a film list can filter by genre). DATABASE_URL and PORT come
// from bench/load.py.
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

export default {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'] })],
  schema: { connectionFilterRelations: true },
  grafserv: { host: '127.0.0.1', port: Number(process.env.PORT ?? 5678), graphiql: false, watch: false },
};
