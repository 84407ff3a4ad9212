/**
 * Right-censored survival data and its validation, shared by every estimator in this folder.
 * `event[i]` is 1 when subject i had the event at `time[i]` and 0 when it was censored then.
 */
export interface SurvivalData {
  time: readonly number[];
  event: readonly number[];
}

/** Throws a RangeError naming the index of the first invalid time or event indicator. */
export function validateSurvivalData({ time, event }: SurvivalData, what: string): void {
  if (time.length !== event.length)
    throw new RangeError(`${what}: time and event differ in length (${time.length} vs ${event.length})`);
  if (time.length === 0) throw new RangeError(`${what}: no observations`);
  for (let i = 0; i < time.length; i++) {
    if (!Number.isFinite(time[i]) || time[i] < 0)
      throw new RangeError(`${what}: time at index ${i} must be a finite number ≥ 0, got ${time[i]}`);
    if (event[i] !== 0 && event[i] !== 1)
      throw new RangeError(`${what}: event at index ${i} must be 0 or 1, got ${event[i]}`);
  }
}
