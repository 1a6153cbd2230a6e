/** `wait`: a durable timer; survives worker and server restarts. */
import { z } from 'zod';
import { durationSchema } from '../duration-schema';

export const waitSpecSchema = z.strictObject({
  duration: durationSchema,
});
export type WaitSpec = z.infer<typeof waitSpecSchema>;
