/** The bench worker's workflow bundle: Rebound's interpreter and the hand-written baseline, so one worker runs both. */
export * from '../workflows';
export { handwrittenNoops } from './handwritten-workflow';
