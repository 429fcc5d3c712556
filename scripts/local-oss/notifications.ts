/**
 * OSS event notifications as an OSS trigger delivers them to Function Compute: after an operation that creates an
 * object, one `{ "events": [ record ] }` per object, the record shaped as FC's event-format doc shows it
 * (test/fixtures/events/oss-trigger-fc3-doc.json: eventName `ObjectCreated:<Operation>`, eventSource `acs:oss`,
 * oss.bucket{arn,name,ownerIdentity}, oss.object{deltaSize,eTag (unquoted),key,size,objectMeta{mimeType,userMeta}},
 * region, requestParameters.sourceIPAddress, responseElements.requestId, userIdentity.principalId).
 * The local OSS raises PutObject, PostObject and CompleteMultipartUpload, the operations it implements that create
 * an object (OSS also raises CopyObject, AppendObject and PutSymlink, which it does not implement).
 */
import type { OssRequest, ServerServices } from './context';
import type { StoredObjectMeta } from './storage';

export type CreatedBy = 'PutObject' | 'PostObject' | 'CompleteMultipartUpload';

export interface OssEventRecord {
  eventName: `ObjectCreated:${CreatedBy}`;
  eventSource: 'acs:oss';
  eventTime: string;
  eventVersion: '1.0';
  oss: {
    bucket: { arn: string; name: string; ownerIdentity: string };
    object: { deltaSize: number; eTag: string; key: string; size: number; objectMeta: { mimeType: string; userMeta: Record<string, string> } };
    ossSchemaVersion: '1.0';
    ruleId: string;
  };
  region: string;
  requestParameters: { sourceIPAddress: string };
  responseElements: { requestId: string };
  userIdentity: { principalId: string };
}

export interface NotificationContext {
  accountId: string;
  region: string;
  notify: (record: OssEventRecord) => void;
}

/** Stores the object, then tells the notification target, as OSS does once the object is readable. */
export async function storeCreatedObject(req: OssRequest, svc: ServerServices, meta: StoredObjectMeta, data: Buffer, createdBy: CreatedBy): Promise<void> {
  const previous = svc.notifications ? await svc.storage.headObject(req.bucket, meta.key) : undefined;
  await svc.storage.putObject(req.bucket, meta, data);
  const n = svc.notifications;
  if (!n) return;
  n.notify({
    eventName: `ObjectCreated:${createdBy}`,
    eventSource: 'acs:oss',
    eventTime: meta.lastModified,
    eventVersion: '1.0',
    oss: {
      bucket: { arn: `acs:oss:${n.region}:${n.accountId}:${req.bucket}`, name: req.bucket, ownerIdentity: n.accountId },
      object: {
        deltaSize: meta.size - (previous?.size ?? 0),
        eTag: meta.etag.replace(/"/g, ''),
        key: meta.key,
        size: meta.size,
        objectMeta: { mimeType: meta.contentType, userMeta: { ...meta.userMeta } },
      },
      ossSchemaVersion: '1.0',
      ruleId: 'local-oss-trigger',
    },
    region: n.region,
    requestParameters: { sourceIPAddress: req.sourceIp },
    responseElements: { requestId: req.requestId },
    userIdentity: { principalId: n.accountId },
  });
}
