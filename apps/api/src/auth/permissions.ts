export enum OrganizationResourcePermission {
  READ_SANDBOXES = 'read:sandboxes',
  WRITE_SANDBOXES = 'write:sandboxes',
  DELETE_SANDBOXES = 'delete:sandboxes',
  READ_SNAPSHOTS = 'read:snapshots',
  WRITE_SNAPSHOTS = 'write:snapshots',
}

export const ALL_PERMISSIONS = Object.values(OrganizationResourcePermission);
