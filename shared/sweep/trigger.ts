/**
 * Asking for an immediate sweep after a Service or cluster change, instead of waiting for the next
 * scheduled one: Cloud Scheduler `runJob` on the sweep's job. The local stack's scheduler answers
 * the same REST call, so production and local runs share this one code path. Best effort: a failure
 * is logged, and the schedule still comes.
 */
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { PassThroughClient } from 'google-auth-library';
import { Logger } from '../log';

export interface SweepTrigger {
  requestSweep(reason: string): Promise<void>;
}

export const noSweepTrigger: SweepTrigger = { requestSweep: async () => undefined };

export function schedulerTrigger(jobName: string, log: Logger, endpoint?: string): SweepTrigger {
  let client: CloudSchedulerClient | undefined;
  const make = (): CloudSchedulerClient => {
    if (!endpoint) return new CloudSchedulerClient();
    const url = new URL(endpoint);
    return new CloudSchedulerClient({
      fallback: true,
      apiEndpoint: url.hostname,
      port: Number(url.port),
      protocol: url.protocol.replace(':', ''),
      // The local scheduler needs no credentials.
      authClient: new PassThroughClient(),
    } as never);
  };
  return {
    async requestSweep(reason) {
      client ??= make();
      try {
        await client.runJob({ name: jobName });
        log.info('asked for an immediate sweep', { reason });
      } catch (e) {
        log.warn('could not ask for an immediate sweep; the schedule will run it', { reason, error: (e as Error).message });
      }
    },
  };
}
