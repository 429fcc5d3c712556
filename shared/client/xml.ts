/** The few reads of OSS's XML answers the client needs, without a DOM (Node has none). */

const ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };

export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|apos|lt|gt|amp);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

/** The text of the first <tag> element, decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m?.[1] === undefined ? undefined : decodeXml(m[1].trim());
}

/** The inner XML of every <tag> element. */
export function xmlBlocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A part's ETag in the form OSS documents and the official SDKs send: the hex in one pair of quotes, whatever form it
 * arrived in (a header with quotes, an XML text with entities, a bare value from an S3 tool).
 */
export function quotedEtag(etag: string): string {
  return `"${etag.trim().replace(/^"+|"+$/g, '')}"`;
}

export function completeBody(parts: ReadonlyArray<{ partNumber: number; etag: string }>): string {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  return `<CompleteMultipartUpload>${sorted.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(quotedEtag(p.etag))}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
}

export interface ListedPart {
  partNumber: number;
  etag: string;
  size: number;
}

export function readListParts(xml: string): { parts: ListedPart[]; truncated: boolean; nextMarker: number } {
  const parts = xmlBlocks(xml, 'Part').map((block) => ({
    partNumber: Number(xmlText(block, 'PartNumber')),
    etag: xmlText(block, 'ETag') ?? '',
    size: Number(xmlText(block, 'Size')),
  }));
  return { parts, truncated: xmlText(xml, 'IsTruncated') === 'true', nextMarker: Number(xmlText(xml, 'NextPartNumberMarker') ?? 0) };
}
