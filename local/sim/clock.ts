/** Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC): one clock for every process here, so a time read in one can be compared with a time read in another. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
