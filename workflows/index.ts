/** The workflows a Rebound worker registers. Deterministic code only (see eslint.config.mjs). */
export { runRecovery } from './run-recovery';
export { soak } from './soak';
