/**
 * The wire contract between the API (control plane) and runners. Types only: both sides import
 * them with `import type`, so nothing here exists at run time.
 *
 * Every request in both directions carries `Authorization: Bearer <runner token>`, except
 * registration, which carries the operator's RUNNER_REGISTRATION_TOKEN.
 */
export {};
//# sourceMappingURL=index.js.map