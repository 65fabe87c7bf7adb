// A stand-in apiserver that records the raw bytes of every request body, for tests that need
// what a real client puts on the wire. It serves /version (kubectl's dispatcher picks the 1.32
// binary from it) and the apiserver's own discovery documents (generators such as `create role`
// resolve resources through them), and answers a write with 201 and the decoded object.

import Fastify from 'fastify';
import { registerDiscoveryRoutes } from '../../src/http/discovery.ts';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from '../../src/protobuf/index.ts';

export interface CapturedRequest {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

export interface CaptureServer {
  url: string;
  /** The writes (POST/PUT/PATCH) received so far, in order. */
  writes: CapturedRequest[];
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const app = Fastify();
  const writes: CapturedRequest[] = [];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  registerDiscoveryRoutes(app);
  app.get('/version', async () => ({ major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' }));
  const record = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const contentType = req.headers['content-type'] ?? '';
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    writes.push({ method: req.method, url: req.url, contentType, body });
    try {
      const obj = contentType.startsWith(PROTOBUF_MEDIA_TYPE) ? decodeProtobufObject(body).object : JSON.parse(body.toString('utf8'));
      return reply.code(201).header('content-type', 'application/json').send(JSON.stringify(obj));
    } catch (e) {
      const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'UnsupportedMediaType', code: 415, message: (e as Error).message };
      return reply.code(415).header('content-type', 'application/json').send(JSON.stringify(status));
    }
  };
  app.post('/*', record);
  app.put('/*', record);
  app.patch('/*', record);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address.replace('localhost', '127.0.0.1'), writes, close: () => app.close() };
}
