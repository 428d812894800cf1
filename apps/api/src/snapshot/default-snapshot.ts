/** The built-in general snapshot: seeded at first start, and what a create without one uses. */
export const DEFAULT_SNAPSHOT_NAME = 'default';
