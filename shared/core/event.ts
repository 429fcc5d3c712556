/** FC 3.0 hands the event over as a Buffer; FC 2.0 and local tools may pass a string or an object. */
export function parseEvent(event: unknown): { parsed: unknown; text: string | null } {
  if (Buffer.isBuffer(event) || typeof event === 'string') {
    const text = Buffer.isBuffer(event) ? event.toString('utf8') : event;
    try {
      return { parsed: JSON.parse(text), text };
    } catch {
      return { parsed: undefined, text };
    }
  }
  return { parsed: event, text: null };
}
