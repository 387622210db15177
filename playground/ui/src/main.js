// The cinegraph playground: GraphiQL with the explorer plugin and a picker of
// the examples in playground/*.graphql. The server embeds the built bundle
// (dist/) and writes the examples into the page, so the playground works with
// no network but the server's own.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import { createElement as h, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { Kind, parse } from 'graphql';
import './playground.css';

/** The examples the server wrote into the page: [{ name, title, query, variables }]. */
const examples = JSON.parse(document.getElementById('cinegraph-examples').textContent);

const http = new URL('/graphql', window.location.href);
const ws = new URL('/graphql/ws', window.location.href);
ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';

// Queries and mutations go over POST, subscriptions over the WebSocket
// endpoint (graphql-transport-ws). Headers from the header editor (the bearer
// token from the sign-up example) travel with every POST.
const fetcher = createGraphiQLFetcher({ url: http.toString(), subscriptionUrl: ws.toString() });

function ExamplesIcon() {
  return h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('path', { d: 'M4 5h16M4 10h16M4 15h10M4 20h7' }),
  );
}

/** Lists the examples; picking one opens it in a new tab, ready to run. */
function ExamplesPane() {
  const { queryEditor, variableEditor } = useGraphiQL((state) => ({
    queryEditor: state.queryEditor,
    variableEditor: state.variableEditor,
  }));
  const { addTab, setOperationFacts, setOperationName } = useGraphiQLActions();
  const open = (example) => {
    addTab();
    queryEditor?.setValue(example.query);
    variableEditor?.setValue(example.variables);
    // GraphiQL learns the document and its operation name from the editor
    // only after a debounce. Run at once and it would send the previous tab's
    // name, and pick the transport from the previous tab's document (a
    // subscription went over POST). So both are set here, now.
    const documentAST = parse(example.query);
    const operations = documentAST.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const operationName = operations[0]?.name?.value;
    setOperationFacts({ documentAST, operationName, operations });
    if (operationName) setOperationName(operationName);
  };
  return h(
    'div',
    { className: 'cinegraph-examples' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
    h('p', null, 'Each opens in a new tab. Mutations need the token from "Sign up" in the Headers tab: { "Authorization": "Bearer <token>" }.'),
    h(
      'ul',
      null,
      examples.map((example) =>
        h(
          'li',
          { key: example.name },
          h('button', { type: 'button', 'data-example': example.name, onClick: () => open(example) }, example.title),
        ),
      ),
    ),
  );
}

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPane };
const plugins = [examplesPlugin, explorerPlugin()];
const filmPage = examples.find((example) => example.name === 'film-page') ?? examples[0];

createRoot(document.getElementById('graphiql')).render(
  h(
    StrictMode,
    null,
    h(GraphiQL, {
      fetcher,
      plugins,
      defaultQuery: filmPage?.query,
      initialVariables: filmPage?.variables,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
    }),
  ),
);
