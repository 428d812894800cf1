export type Env = Record<string, string | undefined>;

/** Every bad variable at once, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    subject = 'configuration',
  ) {
    super(`Invalid ${subject}:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads variables with defaults and bounds, collecting problems instead of throwing on the first;
 * `finish()` throws them all together. An empty value counts as unset.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  optional(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value === '' ? null : value;
  }

  required(name: string, minLength = 1): string {
    const value = this.optional(name);
    if (value === null) {
      this.problems.push(`${name} is required`);
      return '';
    }
    if (value.length < minLength) this.problems.push(`${name} must be at least ${minLength} characters`);
    return value;
  }

  /** An optional secret: unset is fine, a short one is a mistake. */
  secret(name: string, minLength: number): string | null {
    const value = this.optional(name);
    if (value !== null && value.length < minLength) this.problems.push(`${name} must be at least ${minLength} characters`);
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: readonly string[], options: { required?: boolean } = {}): string | null {
    const raw = options.required ? this.required(name) || null : this.optional(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL (got "${raw}")`);
    }
    return raw;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    if (!allowed.includes(raw as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  /** Throws a ConfigError listing every problem found so far, if any. */
  finish(subject?: string): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems, subject);
  }
}
