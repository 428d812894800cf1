/**
 * Every `code` an error response can carry, with its HTTP status and what it means. The OpenAPI
 * spec lists, per operation and status, the codes it can answer (from this table), and a unit
 * test keeps README's "Errors" section in step with it.
 */
export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    description:
      'a field breaks a rule (details.field names it, details.violations lists every problem); also a NUL byte or a ' +
      'lone surrogate in any path segment, query parameter or body string, a body nested more than 32 levels, an ' +
      'object of more than 1,000 keys or an array of more than 20,000 items, and `__proto__`, `constructor` or ' +
      '`prototype` as a key',
  },
  invalid_json: { status: 400, description: 'the body is not valid JSON (or cannot be decoded), or is not an object' },
  invalid_cursor: { status: 400, description: 'the cursor is not a nextCursor of this list with this sort and order' },
  invalid_labels: {
    status: 400,
    description: 'the labels filter is not a JSON object of string values following the label rules',
  },
  bulk_total_exceeded: { status: 400, description: 'the items together ask for more sandboxes than one request may create' },
  duplicate_name_prefix: { status: 400, description: 'two items use the same sandboxNamePrefix' },
  bulk_data_too_large: {
    status: 400,
    description: 'the env and labels of the items, each times its count, exceed what one request may store (16 MiB)',
  },
  reserved_label: { status: 400, description: 'a label key starts with `daytona.io/`, which the platform reserves for its own labels' },
  empty_selector: { status: 400, description: 'a bulk delete names no labels, namePrefix or ids (it never means "everything")' },
  snapshot_not_active: { status: 400, description: 'the snapshot exists but is not active' },
  snapshot_not_in_region: { status: 400, description: "the snapshot is not available in the organization's region" },
  unknown_region: { status: 400, description: 'the region does not exist' },
  unsupported_field: {
    status: 400,
    description: 'a field this server cannot honour (details.field names it), e.g. a GPU, an image build or a non-container sandbox class',
  },
  unauthenticated: { status: 401, description: 'no API key, or one that is unknown or expired' },
  missing_permission: { status: 403, description: 'the API key lacks a permission the route requires (details.missing)' },
  quota_exceeded: { status: 403, description: 'the organization quota cannot hold the request (details.resource)' },
  sandbox_limit_exceeded: {
    status: 403,
    description: "the snapshot needs more cpu, memory or disk per sandbox than the organization allows",
  },
  permission_not_grantable: {
    status: 403,
    description: 'a new API key would get a permission the calling key lacks, or outlive the calling key (details.field)',
  },
  sandbox_not_found: { status: 404, description: 'no such sandbox in the organization' },
  snapshot_not_found: { status: 404, description: 'no such snapshot for the organization' },
  api_key_not_found: { status: 404, description: 'no API key of the organization has this name' },
  route_not_found: { status: 404, description: 'no such route' },
  runner_not_found: { status: 404, description: 'no runner of that name' },
  name_conflict: { status: 409, description: 'a live sandbox of the organization already has one of the names (details.names)' },
  api_key_exists: { status: 409, description: 'the organization already has an API key with this name' },
  snapshot_name_conflict: { status: 409, description: 'the organization already has a snapshot of that name' },
  snapshot_in_use: { status: 409, description: 'live sandboxes use the snapshot (details.sandboxes counts them)' },
  general_snapshot_read_only: { status: 403, description: 'general snapshots belong to the platform; an organization cannot delete them' },
  sandbox_not_started: { status: 409, description: 'the sandbox is not started' },
  sandbox_state_conflict: { status: 409, description: 'the sandbox is in a state from which it cannot be started or stopped (details.state)' },
  sandbox_parked: { status: 409, description: 'the sandbox is on a benchmark runner (RUNNER_PROVIDER=park) that runs no commands' },
  idempotency_key_in_progress: {
    status: 409,
    description: 'a request with the same Idempotency-Key is still creating, past the wait (IDEMPOTENCY_WAIT_SECONDS); retry shortly',
  },
  runner_name_taken: { status: 409, description: 'a runner of that name is enrolled and the registration did not present its credential' },
  runner_in_use: { status: 409, description: 'the runner still holds live sandboxes' },
  payload_too_large: { status: 413, description: 'the body exceeds 5 MiB' },
  unsupported_media_type: {
    status: 415,
    description: 'a body that is not `application/json`, or with an unsupported charset or content encoding',
  },
  idempotency_key_reused: {
    status: 422,
    description: 'the Idempotency-Key was used in the last 24 h with another body or operation',
  },
  insufficient_capacity: { status: 503, description: 'the ready runners of the region lack room' },
  runner_unavailable: { status: 503, description: "the sandbox's runner is gone or did not answer" },
  runner_error: { status: 503, description: "the sandbox's runner failed (details.runnerCode)" },
  database_unavailable: { status: 503, description: 'the database cannot be reached; retry later' },
  internal_error: { status: 500, description: 'an unexpected failure, logged by the server; never caused by input' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOfCode(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
