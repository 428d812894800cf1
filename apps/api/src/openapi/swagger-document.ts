import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { closeRequestSchemas, completeErrorResponses } from './api-error-responses.js';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Daytona API')
    .setDescription('Create and run isolated Linux sandboxes, one at a time or thousands at once.')
    .setVersion('0.1.0')
    .addServer('http://localhost:3000/api')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Organization API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    ignoreGlobalPrefix: true,
    extraModels: [ErrorResponseDto],
  });
  completeErrorResponses(document);
  closeRequestSchemas(document);
  return document;
}
