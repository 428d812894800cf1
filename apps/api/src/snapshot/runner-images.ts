import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RunnerImageStatus } from '@daytona/runner-contract';
import { DataSource } from 'typeorm';

/**
 * What each runner holds of each image (from its syncs), and what that makes of the snapshots
 * of those images: `active` once a ready runner of one of its regions holds it (it stays active),
 * `pulling` while one pulls it, `error` when every ready runner of its regions failed, with the
 * registry's reason.
 */
@Injectable()
export class RunnerImages {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Replaces the runner's image list with what it just reported, then updates the snapshots concerned. */
  async record(runnerId: string, images: RunnerImageStatus[]): Promise<void> {
    const previous: Array<{ ref: string }> = await this.dataSource.query(
      `WITH gone AS (DELETE FROM runner_image WHERE runner_id = $1 AND NOT (ref = ANY($2::text[])) RETURNING ref)
       SELECT ref FROM gone`,
      [runnerId, images.map((image) => image.ref)],
    );
    const changed: Array<{ ref: string }> = await this.dataSource.query(
      `INSERT INTO runner_image (runner_id, ref, state, digest, error_reason, size_bytes, image_user, updated_at)
       SELECT $1, * , now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
       ON CONFLICT (runner_id, ref) DO UPDATE
          SET state = excluded.state, digest = excluded.digest, error_reason = excluded.error_reason,
              size_bytes = excluded.size_bytes, image_user = excluded.image_user, updated_at = now()
        WHERE (runner_image.state, runner_image.digest, runner_image.error_reason, runner_image.image_user)
              IS DISTINCT FROM (excluded.state, excluded.digest, excluded.error_reason, excluded.image_user)
       RETURNING ref`,
      [
        runnerId,
        images.map((image) => image.ref),
        images.map((image) => image.state),
        images.map((image) => image.digest),
        images.map((image) => image.errorReason),
        images.map((image) => image.sizeBytes),
        images.map((image) => image.user ?? null),
      ],
    );
    const refs = [...new Set([...previous, ...changed].map((row) => row.ref))];
    if (refs.length > 0) await this.refreshSnapshots(refs);
  }

  /** Re-derives the state of every live snapshot of these images from what ready runners hold. */
  async refreshSnapshots(refs: string[]): Promise<void> {
    await this.dataSource.query(
      `WITH seen AS (
         SELECT sn.id,
                bool_or(ri.state = 'ready') AS ready,
                bool_or(ri.state = 'pulling') AS pulling,
                count(r.id) AS runners,
                count(ri.runner_id) FILTER (WHERE ri.state = 'error') AS failed,
                max(ri.size_bytes) FILTER (WHERE ri.state = 'ready') AS size_bytes,
                max(ri.image_user) FILTER (WHERE ri.state = 'ready') AS image_user,
                min(ri.error_reason) FILTER (WHERE ri.state = 'error') AS error_reason
           FROM snapshot sn
           JOIN runner r ON r.region = ANY(sn.regions) AND r.state = 'ready'
           LEFT JOIN runner_image ri ON ri.runner_id = r.id AND ri.ref = sn.ref
          WHERE sn.ref = ANY($1::text[]) AND sn.deleted_at IS NULL
          GROUP BY sn.id),
       next AS (
         SELECT seen.*,
                CASE WHEN sn.state = 'active' OR seen.ready THEN 'active'
                     WHEN seen.pulling THEN 'pulling'
                     WHEN seen.failed > 0 AND seen.failed = seen.runners THEN 'error'
                     ELSE sn.state END AS state
           FROM seen JOIN snapshot sn ON sn.id = seen.id)
       UPDATE snapshot sn
          SET state = next.state,
              error_reason = CASE WHEN next.state = 'error' THEN next.error_reason WHEN next.state = 'active' THEN NULL ELSE sn.error_reason END,
              size_bytes = coalesce(next.size_bytes, sn.size_bytes),
              image_user = coalesce(next.image_user, sn.image_user),
              updated_at = now()
         FROM next
        WHERE sn.id = next.id
          AND (sn.state, sn.error_reason, sn.size_bytes, sn.image_user) IS DISTINCT FROM
              (next.state, CASE WHEN next.state = 'error' THEN next.error_reason WHEN next.state = 'active' THEN NULL ELSE sn.error_reason END,
               coalesce(next.size_bytes, sn.size_bytes), coalesce(next.image_user, sn.image_user))`,
      [refs],
    );
  }

  /** Runners that failed to pull `ref`: no sandbox of that image is placed on them. */
  async runnersLacking(ref: string): Promise<Set<string>> {
    const rows: Array<{ runner_id: string }> = await this.dataSource.query(
      `SELECT runner_id FROM runner_image WHERE ref = $1 AND state = 'error'`,
      [ref],
    );
    return new Set(rows.map((row) => row.runner_id));
  }
}
