import { registerDecorator } from 'class-validator';

/** Label keys under this prefix are the platform's: set by the API, refused in user labels. */
export const PLATFORM_LABEL_PREFIX = 'daytona.io/';

/** Every sandbox of one bulk request carries this label, with the request's id as its value. */
export const BULK_REQUEST_LABEL = `${PLATFORM_LABEL_PREFIX}bulk-request`;

/** Labels a user may set: none under `daytona.io/` (400 `reserved_label`). */
export function NoPlatformLabels() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'noPlatformLabels',
      target: target.constructor,
      propertyName,
      options: { context: { code: 'reserved_label' } },
      validator: {
        // Only records are checked here; anything else is IsStringRecord's to refuse.
        validate: (value: unknown) =>
          typeof value !== 'object' || value === null || !Object.keys(value).some((key) => key.startsWith(PLATFORM_LABEL_PREFIX)),
        defaultMessage: () => `${propertyName} must not use keys starting with "${PLATFORM_LABEL_PREFIX}": the platform sets those`,
      },
    });
}

/** The platform's own labels among `labels` (they survive a user's replacement of labels). */
export function platformLabelsOf(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith(PLATFORM_LABEL_PREFIX)));
}
