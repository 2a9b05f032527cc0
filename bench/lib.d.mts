// Types for the parts of bench/lib.mjs the TypeScript tests use.
export function dropRedisPrefix(prefix: string, url?: string): Promise<void>;
