import { Controller, Get, Param } from '@nestjs/common';
import type { KeyedObjectList } from '@tofu-operator/api-contracts';
import { ApiDoc } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { PickersService } from './pickers.service.js';

const NEVER_VALUES =
  "Names and key names only, for the `varsFrom` pickers of the dashboard: a value is never part of the answer. Read from the API server with the operator's client after the caller's own SubjectAccessReview.";

/**
 * The namespace's ConfigMaps and Secrets by name with their key names, for the varsFrom pickers.
 * Each route requires `list` on that core resource in the namespace, as `kubectl get` would.
 */
@Controller('api/v1/namespaces/:ns')
export class PickersController {
  constructor(private readonly pickers: PickersService) {}

  @Get('configmaps')
  @Authz('list', 'configmaps')
  @ApiDoc({ summary: 'List ConfigMap names and keys', description: NEVER_VALUES, response: 'KeyedObjectList' })
  configMaps(@Param('ns') ns: string): Promise<KeyedObjectList> {
    return this.pickers.list('configmaps', ns);
  }

  @Get('secrets')
  @Authz('list', 'secrets')
  @ApiDoc({
    summary: 'List Secret names, types and keys',
    description: `${NEVER_VALUES} Each item also has the Secret's \`type\`.`,
    response: 'KeyedObjectList',
  })
  secrets(@Param('ns') ns: string): Promise<KeyedObjectList> {
    return this.pickers.list('secrets', ns);
  }
}
