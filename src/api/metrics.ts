import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_EXECUTION_STATUSES } from '../cloud/jobs/executions.js';
import { emptyCounts, JOB_STATUSES } from '../cloud/jobs/job.js';
import type { CloudRuntime } from '../cloud/runtime.js';

/**
 * Prometheus metrics for the cloud process. Values are read from the runtime's counters at
 * scrape time, so nothing on the message path pays for them.
 */
export function createMetrics(cloud: CloudRuntime): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'acfleet_cloud_' });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('acfleet_things_registered', 'Things the cloud knows', () => cloud.thingCount);
  gauge('acfleet_devices_online', 'Devices connected now', () => cloud.onlineDevices);
  const broker = cloud.broker;
  if (broker) {
    gauge('acfleet_broker_clients', 'MQTT clients connected to the embedded broker', () => broker.connectedClients);
    gauge('acfleet_broker_auth_failures_total', 'CONNECTs refused (bad or missing credentials)', () => broker.counters.authFailures);
    gauge('acfleet_broker_publish_denied_total', 'PUBLISHes refused by the ACL (connection closed)', () => broker.counters.publishDenied);
    gauge('acfleet_broker_subscribe_denied_total', 'SUBSCRIBE filters refused by the ACL (SUBACK 0x80)', () => broker.counters.subscribeDenied);
  }
  gauge('acfleet_shadow_requests_total', 'Device Shadow requests (MQTT and HTTP)', () => cloud.shadow.counters.requests);
  gauge('acfleet_shadow_rejected_total', 'Device Shadow requests rejected', () => cloud.shadow.counters.rejected);
  gauge('acfleet_jobs_requests_total', 'Jobs device-API requests over MQTT', () => cloud.jobs.counters.requests);
  gauge('acfleet_jobs_rejected_total', 'Jobs device-API requests rejected', () => cloud.jobs.counters.rejected);
  gauge('acfleet_job_targets_pending', 'Job targets the rollout has not released yet (no execution so far)', () => {
    let n = 0;
    for (const job of cloud.jobs.store.allJobs()) n += cloud.jobs.rollout.pendingCount(job.jobId);
    return n;
  });
  gauge('acfleet_job_execution_timers', 'IN_PROGRESS executions under an in-progress or step timer', () => cloud.jobs.timeouts.running);
  new Gauge({
    name: 'acfleet_jobs',
    help: 'Jobs by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of JOB_STATUSES) this.set({ status: s }, 0);
      for (const job of cloud.jobs.store.allJobs()) this.inc({ status: job.status });
    },
  });
  new Gauge({
    name: 'acfleet_job_executions',
    help: "Job executions by status (each thing's latest execution of each job)",
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const totals = emptyCounts();
      for (const job of cloud.jobs.store.allJobs()) {
        const c = cloud.jobs.store.counts(job.jobId);
        for (const s of JOB_EXECUTION_STATUSES) totals[s] += c[s];
      }
      for (const s of JOB_EXECUTION_STATUSES) this.set({ status: s }, totals[s]);
    },
  });
  return registry;
}
