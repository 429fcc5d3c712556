/** ./event-sources.ts on first use (see there); scripts/build.ts makes it a chunk beside index.js. */
type EventSources = typeof import('./event-sources');

export function eventSources(): EventSources {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./event-sources') as EventSources;
}
