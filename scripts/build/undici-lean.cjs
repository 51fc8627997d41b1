'use strict';
// What the bundled CLI gets for `import('undici')` (tsup.config.ts, cliBundlePlugins): only the parts the source uses
// (test/undici-lean.test.ts keeps the list complete). undici's index.js also loads fetch, WebSocket, EventSource,
// cookies, the mock agents and the cache stores, which made it the largest single cost between `plex-diagnose` starting
// and its first request (docs/performance.md, "Start-up"). The library entries keep the real `undici` (external): only
// the CLI, whose undici is fixed at build time, may depend on the package's internal file layout. A renamed file in a
// future undici fails the build here, never at a user's run.
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
const Agent = require('undici/lib/dispatcher/agent.js');
const Client = require('undici/lib/dispatcher/client.js');
const buildConnector = require('undici/lib/core/connect.js');
const api = require('undici/lib/api/index.js');
const util = require('undici/lib/core/util.js');
const { InvalidArgumentError } = require('undici/lib/core/errors.js');
const { getGlobalDispatcher, setGlobalDispatcher } = require('undici/lib/global.js');

// As undici's index.js: the request/stream/... methods live on every dispatcher.
Object.assign(Dispatcher.prototype, api);

// undici's index.js `makeDispatcher(api.request)`, for the `request(url, options)` form the source uses.
function request(url, opts) {
  if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
    throw new InvalidArgumentError('invalid url');
  }
  if (opts != null && typeof opts !== 'object') throw new InvalidArgumentError('invalid opts');
  if (opts && opts.path != null) {
    if (typeof opts.path !== 'string') throw new InvalidArgumentError('invalid opts.path');
    const path = opts.path.startsWith('/') ? opts.path : `/${opts.path}`;
    url = new URL(util.parseOrigin(url).origin + path);
  } else {
    if (!opts) opts = typeof url === 'object' ? url : {};
    url = util.parseURL(url);
  }
  const { agent, dispatcher = getGlobalDispatcher() } = opts;
  if (agent) throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?');
  return api.request.call(dispatcher, {
    ...opts,
    origin: url.origin,
    path: url.search ? `${url.pathname}${url.search}` : url.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  });
}

module.exports = { Agent, Client, Dispatcher, buildConnector, request, getGlobalDispatcher, setGlobalDispatcher };
