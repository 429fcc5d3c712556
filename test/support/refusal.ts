import { ServiceError } from '../../shared/errors';

/** The ServiceError `act` throws; any other outcome (no error, another kind of error) fails the test. */
export function refusal(act: () => unknown): ServiceError {
  try {
    act();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a refusal (a ServiceError), nothing was thrown');
}
