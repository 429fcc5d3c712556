/**
 * Imported first by the handler suites: Object.prototype and Array.prototype are frozen for the whole file, so a
 * future pollution path (request data written onto a shared prototype) fails loudly in strict code instead of
 * quietly changing every later request. test/security/hostile.test.ts runs unfrozen and checks the prototypes
 * are unchanged at its end, so both ways of catching it are covered.
 */
Object.freeze(Object.prototype);
Object.freeze(Array.prototype);

export const PROTOTYPES_FROZEN = Object.isFrozen(Object.prototype) && Object.isFrozen(Array.prototype);
