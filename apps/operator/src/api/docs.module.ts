import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DocsController } from './docs.controller.js';

/** The API documentation at /api/docs: the generated OpenAPI document and Swagger UI. */
@Module({
  imports: [DiscoveryModule],
  controllers: [DocsController],
})
export class DocsModule {}
