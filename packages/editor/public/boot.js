// Starts the first API requests while the application bundle is still downloading and evaluating, so the
// first render of a pipeline waits for the network once, not after the JavaScript. The app takes these
// responses (once each) through `takeEarlyResponse` in src/api/client.ts; anything else it fetches itself.
(function () {
  'use strict';
  var key = null;
  try {
    key = localStorage.getItem('storyloom.apiKey');
  } catch (error) {
    key = null;
  }
  var headers = key ? { Authorization: 'Bearer ' + key } : {};
  var early = {};
  var start = function (path) {
    early[path] = fetch(path, { headers: headers });
    early[path].catch(function () {}); // a failure is seen (and reported) by the app when it takes it
  };
  start('/api/node-types');
  start('/api/pipelines');
  var id = new URLSearchParams(location.search).get('pipeline');
  if (id) start('/api/pipelines/' + encodeURIComponent(id));
  window.__storyloomEarly = early;
})();
