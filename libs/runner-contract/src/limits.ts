/**
 * Limits both sides enforce. The API's public request rules are at least as strict, so a runner
 * refusing a request the API sent can only mean a bug.
 */

/** Sandbox ids become directory and cgroup names on a runner; this keeps them from naming anything else. */
export const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const ENV_LIMITS = {
  /** A name a shell can export. */
  name: /^[A-Za-z_][A-Za-z0-9_]{0,255}$/,
  maxEntries: 256,
  maxValueLength: 32_768,
  /** NAME=value pairs together, in UTF-8: far below what the kernel takes for one process (ARG_MAX). */
  maxTotalBytes: 256 * 1024,
};

export const MAX_SANDBOX_NAME_LENGTH = 255;
/** One argument to /bin/sh, in UTF-8 bytes: the kernel takes at most 128 KiB per argument. */
export const MAX_COMMAND_BYTES = 100_000;
export const MAX_PATH_LENGTH = 4_096;
export const MAX_EXEC_TIMEOUT_SECONDS = 3_600;
/** The API keeps at most this much of an error reason. */
export const MAX_ERROR_REASON_LENGTH = 2_000;
/** Sandboxes in one create request or one inventory; a bulk request is at most 10,000 by default. */
export const MAX_SANDBOXES_PER_REQUEST = 100_000;
/** State updates in one report. */
export const MAX_UPDATES_PER_REPORT = 20_000;
/** Sandboxes one runner holds and sends in one sync (the API refuses larger arrays outright). */
export const MAX_SANDBOXES_PER_SYNC = 20_000;
/** Images one runner reports in one sync. */
export const MAX_IMAGES_PER_SYNC = 1_000;
