import type { Driver } from '../../drivers/types.js';
import type { RateLimiterDefinition } from '../define.js';

export interface MiddlewareDeps {
  driver: Driver;
  limiters: Record<string, RateLimiterDefinition>;
}
