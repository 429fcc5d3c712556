/** Minimal XML writing in the shape OSS answers with: a declaration, one root, flat or nested text elements. */

export function escapeXml(text: string): string {
  // Text content only: OSS leaves quotes raw, e.g. <ETag>"…"</ETag>.
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
}

export type XmlNode = string | number | XmlElement[] | undefined;
export type XmlElement = [name: string, content: XmlNode];

function render(elements: readonly XmlElement[]): string {
  return elements
    .filter(([, content]) => content !== undefined)
    .map(([name, content]) =>
      Array.isArray(content) ? `<${name}>${render(content)}</${name}>` : `<${name}>${escapeXml(String(content))}</${name}>`,
    )
    .join('');
}

/** `namespace` adds `xmlns` to the root, as MNS answers (`<Message xmlns="http://mns.aliyuncs.com/doc/v1/">`). */
export function xmlDocument(root: string, children: readonly XmlElement[], namespace?: string): string {
  const open = namespace === undefined ? root : `${root} xmlns="${namespace}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${open}>\n${render(children)}\n</${root}>\n`;
}
