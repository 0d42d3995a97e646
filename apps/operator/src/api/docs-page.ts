import type { OpenApiDocument } from './openapi.js';

/** Where the docs are served. */
export const DOCS_PATH = '/api/docs';

/** The OpenAPI document's URL. */
export const OPENAPI_JSON_PATH = `${DOCS_PATH}/openapi.json`;

/**
 * Files of the npm package swagger-ui-dist served under /api/docs/, with their content types. Only
 * these: the map is the allow-list, so no request path ever reaches the file system.
 */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Our own start script of Swagger UI (a file, not inline, so the page's CSP can forbid inline scripts). */
export const SWAGGER_INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_JSON_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // The default sends the document to validator.swagger.io: nothing leaves the cluster.
    validatorUrl: null,
  });
});
`;

/**
 * The Content-Security-Policy of the page: everything from this origin only. Swagger UI sets inline
 * styles and uses data: images for its icons.
 */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The HTML page at /api/docs: a plain index of the operations (readable without JavaScript), which
 * Swagger UI, served from this origin, replaces once it has loaded.
 */
export function docsPage(doc: OpenApiDocument): string {
  const rows = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()} ${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary)}</td>` +
        `<td>${op.security.length ? 'bearer token' : 'public'}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui">
<main style="font-family: sans-serif; max-width: 60rem; margin: 2rem auto">
<h1>${escapeHtml(doc.info.title)}</h1>
<p>${escapeHtml(doc.info.description)}</p>
<p>The OpenAPI ${escapeHtml(doc.openapi)} document: <a href="${OPENAPI_JSON_PATH}">${OPENAPI_JSON_PATH}</a>.</p>
<table>
<thead><tr><th>Operation</th><th>Summary</th><th>Authentication</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</main>
</div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/swagger-initializer.js"></script>
</body>
</html>
`;
}
