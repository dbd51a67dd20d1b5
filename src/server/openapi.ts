/** The OpenAPI 3.1 document of the JSON API, built from the same zod schemas that validate the requests. */
import { z } from 'zod';
import { bodyFileSchema, skeletonFileSchema } from '../data/formats.ts';
import { DEFAULT_LIMITS, IMAGE_TYPES } from './constants.ts';
import {
  detectRequestSchema, editRequestSchema, fitRequestSchema, generateRequestSchema, guidanceRequestSchema, h2hRequestSchema,
} from './schemas.ts';
import type { ServerLimits } from './types.ts';

function schemaOf(s: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const errorSchema = {
  type: 'object', required: ['error'],
  properties: { error: { type: 'string', description: 'one line: what was wrong, the value, what is allowed' }, code: { type: 'string' } },
};

const errors = (codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), {
  description: ERROR_TEXT[c] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
}]));

const ERROR_TEXT: Record<number, string> = {
  400: 'bad request (invalid JSON or a field out of range)', 404: 'unknown image, file or job', 413: 'body too large',
  403: 'an image server this server does not send to', 415: 'unsupported content type', 422: 'a file or image that cannot be read',
  501: 'this server lacks the capability',
  502: 'the image-generation server failed', 503: 'the compute queue is full; retry',
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const fileUrls = { type: 'object', additionalProperties: { type: 'string' }, description: 'file name -> URL under /api/files' };

/** Response schemas shared by several routes. */
const RESPONSES = {
  Skeleton: schemaOf(skeletonFileSchema),
  Body: schemaOf(bodyFileSchema),
  ImageInfo: { type: 'object', required: ['id', 'width', 'height', 'url'], properties: { id: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, url: { type: 'string' } } },
  SkeletonResult: { type: 'object', required: ['id', 'skeleton', 'files', 'ms'], properties: { id: { type: 'string' }, skeleton: ref('Skeleton'), files: fileUrls, ms: { type: 'number' } } },
  FitResult: { type: 'object', required: ['id', 'body', 'bodies', 'files', 'ms'], properties: { id: { type: 'string' }, body: ref('Body'), bodies: { type: 'array', items: ref('Body') }, files: fileUrls, ms: { type: 'number' } } },
  FilesResult: { type: 'object', required: ['id', 'files'], properties: { id: { type: 'string' }, files: fileUrls } },
  Job: {
    type: 'object', required: ['id', 'state', 'progress', 'message'],
    properties: {
      id: { type: 'string' }, state: { enum: ['queued', 'running', 'done', 'failed'] }, progress: { type: 'number', minimum: 0, maximum: 1 },
      message: { type: 'string' }, result: ref('FilesResult'), error: { type: 'string' },
    },
  },
};

function jsonPost(summary: string, schema: z.ZodType, ok: string, okSchema: Record<string, unknown> = { type: 'object' }, extra: number[] = []) {
  return {
    post: {
      summary,
      requestBody: { required: true, content: { 'application/json': { schema: schemaOf(schema) } } },
      responses: { '200': { description: ok, content: { 'application/json': { schema: okSchema } } }, ...errors([400, 404, 413, 501, 503, ...extra]) },
    },
  };
}

/** Build the document for the given limits. */
export function openApiDocument(limits: ServerLimits = DEFAULT_LIMITS, version = '0.0.0'): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'person-in-place API', version,
      description: 'Generate object-interactive skeletons, fit 3D bodies, and make ControlNet guidance for a photo. ' +
        'Upload the image first (POST /api/images), then refer to it by id. Boxes are [x1, y1, x2, y2] in pixels; ' +
        'keypoints are COCO-17 [x, y, c]. Errors are {"error": "one line"} with a fitting status.',
    },
    paths: {
      '/api/health': { get: { summary: 'Capabilities, tfjs backend and queue depth', responses: { '200': { description: 'ok' } } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
      '/api/sample': { get: { summary: 'The bundled sample scene, generated and fitted (cached)', responses: { '200': { description: 'scene, image, skeleton and body with file URLs' } } } },
      '/api/images': {
        post: {
          summary: `Upload an image (PNG, JPEG or WebP, at most ${limits.uploadBytes} bytes)`,
          requestBody: { required: true, content: Object.fromEntries(IMAGE_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) },
          responses: {
            '201': { description: 'stored: {id, width, height, url}', content: { 'application/json': { schema: ref('ImageInfo') } } },
            ...errors([400, 413, 415, 422]),
          },
        },
      },
      '/api/generate': jsonPost('Generate skeletons for a person in the person box interacting with the object box', generateRequestSchema(limits.maxSamples), 'the skeletons (ranked best first) and the guidance files of sample 0', ref('SkeletonResult')),
      '/api/h2h': jsonPost('Generate a skeleton interacting with a partner person', h2hRequestSchema(limits.maxSamples), 'the skeletons with the partner, and the guidance files', ref('SkeletonResult')),
      '/api/fit': jsonPost('Fit the 3D body to one sample of a skeleton', fitRequestSchema, 'body.json objects and the files body.json, body.glb, body.obj', ref('FitResult'), [422]),
      '/api/detect': jsonPost('Detect people and objects in an uploaded image', detectRequestSchema, '{image, people: [{box, keypoints, score}], objects: [{box, category, score}]}'),
      '/api/guidance': jsonPost('OpenPose map, OpenPose JSON, mask and overlay for a skeleton', guidanceRequestSchema, 'the files', ref('FilesResult')),
      '/api/edit': {
        post: {
          ...jsonPost('Start an edit on the server\'s image server (ComfyUI or AUTOMATIC1111): the configured one (serve --server / PINPLACE_SERVER) only; with none configured, a loopback URL while the server listens on loopback (403 otherwise)', editRequestSchema, '').post,
          responses: {
            '202': { description: 'the job; poll /api/jobs/{id}', content: { 'application/json': { schema: ref('Job') } } },
            ...errors([400, 403, 404, 413, 501, 503]),
          },
        },
      },
      '/api/jobs/{id}': {
        get: {
          summary: 'State of an edit job', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the job', content: { 'application/json': { schema: ref('Job') } } }, ...errors([404]) },
        },
      },
      '/api/files/{id}/{name}': {
        get: {
          summary: "A file from the server's output area",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'the file' }, ...errors([400, 404]) },
        },
      },
    },
    components: { schemas: { Error: errorSchema, ...RESPONSES } },
  };
}
