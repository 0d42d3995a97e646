import { Controller, Get, Param, Res, type Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DOCS_CSP, docsPage, SWAGGER_INITIALIZER, SWAGGER_UI_FILES } from './docs-page.js';
import { Public } from '../http/authz.js';
import { notFound } from '../http/errors.js';
import { openApiDocument, type OpenApiDocument } from './openapi.js';
import { controllerRoutes } from './route-table.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

function send(res: ServerResponse, type: string, body: string | Buffer, cache: string, extra: Record<string, string> = {}): void {
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', cache);
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.end(body);
}

/**
 * The API's documentation, public (it holds no data): the OpenAPI document
 * generated from the running application's routes, and Swagger UI served from this process (no CDN:
 * the cluster may have no internet).
 */
@Controller('api/docs')
@Public('the API documentation: generated from the routes, it holds no cluster data')
export class DocsController {
  private document: OpenApiDocument | undefined;
  private page: string | undefined;
  private readonly assets = new Map<string, Promise<Buffer>>();

  constructor(private readonly discovery: DiscoveryService) {}

  /** Built once, from the controllers Nest actually registered. */
  private openApi(): OpenApiDocument {
    if (!this.document) {
      const controllers = this.discovery
        .getControllers()
        .map((w) => w.metatype)
        .filter((t): t is Type => typeof t === 'function');
      this.document = openApiDocument(controllerRoutes(controllers));
    }
    return this.document;
  }

  @Get()
  index(@Res() res: ServerResponse): void {
    this.page ??= docsPage(this.openApi());
    send(res, 'text/html; charset=utf-8', this.page, 'no-cache', { 'content-security-policy': DOCS_CSP });
  }

  @Get('openapi.json')
  openApiJson(@Res() res: ServerResponse): void {
    send(res, 'application/json; charset=utf-8', JSON.stringify(this.openApi()), 'no-cache');
  }

  @Get(':file')
  async asset(@Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    if (file === 'swagger-initializer.js') return send(res, 'text/javascript; charset=utf-8', SWAGGER_INITIALIZER, 'no-cache');
    // Only names of the allow-list are read, so a path like ../../etc/passwd never reaches the disk.
    const type = Object.hasOwn(SWAGGER_UI_FILES, file) ? SWAGGER_UI_FILES[file] : undefined;
    if (!type) throw notFound(`no such file: /api/docs/${file}`);
    let content = this.assets.get(file);
    if (!content) {
      content = readFile(join(swaggerUiDir, file));
      this.assets.set(file, content);
      // A failed read is not cached: the next request tries again.
      content.catch(() => this.assets.delete(file));
    }
    send(res, type, await content, 'public, max-age=3600');
  }
}
