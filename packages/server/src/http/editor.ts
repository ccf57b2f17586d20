// Serves the editor's static build at `/`, with index.html for any other page asked for outside /api, so deep
// links load the app. HTML is never cached without asking again, so a new build shows at once; before the editor is
// built, a short page says how to build it and where the API is.
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Storyloom</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Storyloom</h1>
<p>The API is running at <a href="/api/health">/api/health</a>
(description: <a href="/api/openapi.json">/api/openapi.json</a>), but the editor has not been built yet.</p>
<p>Run <code>npm run build</code> and reload this page.</p>
</body>
</html>
`;

/**
 * The editor's static build at `/`, with the SPA fallback (any other non-/api GET that wants HTML gets
 * index.html, so deep links like `/?pipeline=id` or client routes load the app). Before the editor is built,
 * a short page says how to build it. The build is looked up per request so building later needs no restart.
 */
export function editorRouter(editorDir: string): Router {
  const router = express.Router();
  const indexFile = path.join(editorDir, 'index.html');
  router.use(express.static(editorDir, { index: false, fallthrough: true, maxAge: '1h', setHeaders: noCacheForHtml }));
  router.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    if (!req.accepts('html')) return next();
    if (!fs.existsSync(indexFile)) {
      res.status(200).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}

function noCacheForHtml(res: Response, filePath: string): void {
  if (filePath.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
