import { adoptTree, parseJsonTree, type Tree } from '../request/tree';

/**
 * FC 3.0 hands the event over as a Buffer; FC 2.0 and local tools may pass a string or an object. Whatever arrives
 * becomes a bounded null-prototype tree (shared/request/tree.ts) before anything reads it; `parsed` is undefined
 * when the text is not JSON at all.
 */
export function parseEvent(event: unknown): { parsed: Tree | undefined; text: string | null } {
  if (Buffer.isBuffer(event) || typeof event === 'string') {
    const text = Buffer.isBuffer(event) ? event.toString('utf8') : event;
    const result = parseJsonTree(text, 'event');
    return { parsed: result.ok ? result.tree : undefined, text };
  }
  return { parsed: adoptTree(event, 'event'), text: null };
}
