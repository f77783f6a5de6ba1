import type { TestProject } from 'vitest/node';
import { pgMissingReason, startCluster, type Cluster } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the shared test PostgreSQL, or null when it cannot run here. */
    pgUrl: string | null;
    pgMissing: string | null;
  }
}

let cluster: Cluster | null = null;

/** One PostgreSQL for the whole run; each test file creates its own database on it. */
export async function setup(project: TestProject) {
  const missing = pgMissingReason();
  if (!missing) cluster = await startCluster();
  project.provide('pgUrl', cluster?.url ?? null);
  project.provide('pgMissing', missing);
}

export async function teardown() {
  cluster?.remove();
  cluster = null;
}
