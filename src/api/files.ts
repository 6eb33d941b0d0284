/**
 * `GET`/`HEAD /_acfleet/files/<bucket>/<key>?X-Amz-…`: the local file host that presigned URLs
 * in job documents point at (spec §7). Answers as S3 does: the object streamed with its length
 * and a content type; 403 with an S3 XML error for a missing, altered or expired signature; 404
 * (`NoSuchBucket`/`NoSuchKey`) for a validly signed URL whose object is not there.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FILES_ROUTE_PREFIX, type FileHost } from '../cloud/jobs/file-host.js';
import type { QueryParams } from '../cloud/jobs/presigned-urls.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/xml',
  '.csv': 'text/csv',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.sh': 'text/x-shellscript',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

/** What S3 answers for objects uploaded without a content type. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export function registerFiles(app: FastifyInstance, files: FileHost): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: `${FILES_ROUTE_PREFIX}/*`,
    // HEAD is served here with the GET signature check, not by fastify's automatic HEAD route.
    exposeHeadRoute: false,
    handler: (req, reply) => serveFile(files, req, reply),
  });
}

async function serveFile(files: FileHost, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // The raw path: the signature covers the decoded names, which parsing here decodes exactly once.
  const rawPath = (req.url.split('?')[0] ?? '').slice(FILES_ROUTE_PREFIX.length);
  const allowed = files.authorize(req.method, rawPath, req.query as QueryParams);
  if (!allowed.ok) return sendS3Error(reply, allowed.error.status, allowed.error.code, allowed.error.message, rawPath);
  const { object, file } = allowed.value;

  let handle: FileHandle | undefined;
  try {
    // Opened, then inspected: the file cannot be swapped between the check and the read.
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    reply
      .code(200)
      .header('content-type', CONTENT_TYPES[extname(object.key).toLowerCase()] ?? DEFAULT_CONTENT_TYPE)
      .header('content-length', String(info.size))
      .header('last-modified', info.mtime.toUTCString())
      .header('accept-ranges', 'none');
    if (req.method === 'HEAD') {
      await handle.close();
      return reply.send();
    }
    const stream = handle.createReadStream();
    handle = undefined; // the stream owns it now and closes it when done
    return reply.send(stream);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
    const bucketDir = files.bucketDir(object.bucket);
    const bucketExists = bucketDir !== undefined && (await stat(bucketDir).then((s) => s.isDirectory(), () => false));
    return bucketExists
      ? sendS3Error(reply, 404, 'NoSuchKey', 'The specified key does not exist.', rawPath)
      : sendS3Error(reply, 404, 'NoSuchBucket', 'The specified bucket does not exist', rawPath);
  }
}

/** S3's REST error: an XML `<Error>` with Code, Message and Resource (no body for HEAD, as Node drops it). */
function sendS3Error(reply: FastifyReply, status: number, code: string, message: string, resource: string): FastifyReply {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message><Resource>${xml(resource)}</Resource></Error>`;
  return reply.code(status).header('content-type', 'application/xml').send(body);
}

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
