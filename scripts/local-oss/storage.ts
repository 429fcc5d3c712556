/**
 * Objects and multipart uploads on disk. Keys are hashed into file names so any OSS key (spaces, '+', emoji,
 * 1023 bytes) maps to a safe path; the real key lives in the sidecar JSON.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ObjectAttributes } from './object-attributes';

/** An object's stored attributes (content type, storage class, metadata, replayed HTTP headers…) and its identity. */
export interface StoredObjectMeta extends ObjectAttributes {
  key: string;
  size: number;
  /** Quoted, upper-case hex, as OSS sends it: "5EB63BBBE01EEED093CB22BB8F5ACDC3" (multipart: "…-N"). */
  etag: string;
  lastModified: string;
  objectType: 'Normal' | 'Multipart';
}

/** A multipart upload keeps the attributes it was initiated with until it completes. */
export interface UploadMeta extends ObjectAttributes {
  uploadId: string;
  key: string;
  initiated: string;
}

export interface PartMeta {
  partNumber: number;
  etag: string;
  size: number;
  md5Hex: string;
  lastModified: string;
}

export function md5Etag(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex').toUpperCase()}"`;
}

export class ObjectStorage {
  constructor(readonly root: string) {}

  private bucketDir(bucket: string): string {
    return path.join(this.root, 'buckets', encodeURIComponent(bucket));
  }

  private objectBase(bucket: string, key: string): string {
    return path.join(this.bucketDir(bucket), 'objects', createHash('sha256').update(key, 'utf8').digest('hex'));
  }

  private uploadDir(bucket: string, uploadId: string): string {
    if (!/^[0-9A-F]{32}$/.test(uploadId)) throw new Error('bad upload id');
    return path.join(this.bucketDir(bucket), 'uploads', uploadId);
  }

  async createBucket(bucket: string): Promise<void> {
    await fs.mkdir(path.join(this.bucketDir(bucket), 'objects'), { recursive: true });
    await fs.mkdir(path.join(this.bucketDir(bucket), 'uploads'), { recursive: true });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return exists(this.bucketDir(bucket));
  }

  async headObject(bucket: string, key: string): Promise<StoredObjectMeta | undefined> {
    try {
      return JSON.parse(await fs.readFile(`${this.objectBase(bucket, key)}.json`, 'utf8')) as StoredObjectMeta;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async readObject(bucket: string, key: string): Promise<Buffer> {
    return fs.readFile(`${this.objectBase(bucket, key)}.bin`);
  }

  /** Data first, then metadata via rename, so a reader never sees metadata for bytes that are not there yet. */
  async putObject(bucket: string, meta: StoredObjectMeta, data: Buffer): Promise<void> {
    const base = this.objectBase(bucket, meta.key);
    const tmp = `${base}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(`${tmp}.bin`, data);
    await fs.rename(`${tmp}.bin`, `${base}.bin`);
    await fs.writeFile(`${tmp}.json`, JSON.stringify(meta));
    await fs.rename(`${tmp}.json`, `${base}.json`);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const base = this.objectBase(bucket, key);
    await fs.rm(`${base}.json`, { force: true });
    await fs.rm(`${base}.bin`, { force: true });
  }

  async initiateUpload(bucket: string, meta: Omit<UploadMeta, 'uploadId' | 'initiated'>): Promise<UploadMeta> {
    const full: UploadMeta = { ...meta, uploadId: randomBytes(16).toString('hex').toUpperCase(), initiated: new Date().toISOString() };
    const dir = this.uploadDir(bucket, full.uploadId);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'upload.json'), JSON.stringify(full));
    return full;
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadMeta | undefined> {
    if (!/^[0-9A-F]{32}$/.test(uploadId)) return undefined;
    try {
      return JSON.parse(await fs.readFile(path.join(this.uploadDir(bucket, uploadId), 'upload.json'), 'utf8')) as UploadMeta;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every unfinished upload of a bucket (ListMultipartUploads sorts and pages them). */
  async listUploads(bucket: string): Promise<UploadMeta[]> {
    const dir = path.join(this.bucketDir(bucket), 'uploads');
    const uploads: UploadMeta[] = [];
    for (const id of await fs.readdir(dir).catch(() => [] as string[])) {
      const upload = await this.getUpload(bucket, id);
      if (upload) uploads.push(upload);
    }
    return uploads;
  }

  async putPart(bucket: string, uploadId: string, partNumber: number, data: Buffer): Promise<PartMeta> {
    const dir = this.uploadDir(bucket, uploadId);
    const md5Hex = createHash('md5').update(data).digest('hex').toUpperCase();
    const part: PartMeta = { partNumber, etag: `"${md5Hex}"`, size: data.length, md5Hex, lastModified: new Date().toISOString() };
    await fs.writeFile(path.join(dir, `part-${partNumber}.bin`), data);
    await fs.writeFile(path.join(dir, `part-${partNumber}.json`), JSON.stringify(part));
    return part;
  }

  async listParts(bucket: string, uploadId: string): Promise<Map<number, PartMeta>> {
    const dir = this.uploadDir(bucket, uploadId);
    const parts = new Map<number, PartMeta>();
    for (const name of await fs.readdir(dir)) {
      const m = /^part-(\d+)\.json$/.exec(name);
      if (m) parts.set(Number(m[1]), JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as PartMeta);
    }
    return parts;
  }

  async readPart(bucket: string, uploadId: string, partNumber: number): Promise<Buffer> {
    return fs.readFile(path.join(this.uploadDir(bucket, uploadId), `part-${partNumber}.bin`));
  }

  async dropUpload(bucket: string, uploadId: string): Promise<void> {
    await fs.rm(this.uploadDir(bucket, uploadId), { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
