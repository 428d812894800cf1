export enum OrganizationResourcePermission {
  READ_SANDBOXES = 'read:sandboxes',
  WRITE_SANDBOXES = 'write:sandboxes',
  DELETE_SANDBOXES = 'delete:sandboxes',
  READ_SNAPSHOTS = 'read:snapshots',
  WRITE_SNAPSHOTS = 'write:snapshots',
  /** Create, list and delete the organization's API keys (a key grants only what it holds). */
  WRITE_API_KEYS = 'write:api-keys',
}

export const ALL_PERMISSIONS = Object.values(OrganizationResourcePermission);
