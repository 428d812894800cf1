# frozen_string_literal: true

module Daytona
  # A snapshot as the API described it. `state` is "pending", "pulling", "active" (sandboxes can be
  # created from it) or "error" (`error_reason`, in the registry's words); `size` in GB once a
  # runner has pulled the image; `cpu`, `memory` and `disk` (GiB) per sandbox.
  Snapshot = Struct.new(:id, :organization_id, :name, :image_name, :general, :state, :error_reason, :size, :entrypoint,
                        :cpu, :gpu, :memory, :disk, :regions, :created_at, :updated_at, :last_used_at, keyword_init: true)

  # One page of {SnapshotService#list}.
  PaginatedSnapshots = Struct.new(:items, :total, :page, :total_pages, keyword_init: true)

  # What every sandbox of a snapshot gets; nil fields take the server's defaults (1 cpu, 1 GiB
  # memory, 3 GiB disk). `gpu` can only be 0: this server has none.
  Resources = Struct.new(:cpu, :memory, :disk, :gpu, keyword_init: true)

  # The organization's snapshots; reach it as `daytona.snapshot`. A snapshot is an OCI image that
  # runners pull once; sandboxes are then created from it by name (`create(snapshot: ...)`, or a
  # bulk item's `snapshot_id_or_name`).
  class SnapshotService
    # Longer than a runner's own pull limit (600 s, RUNNER_IMAGE_PULL_TIMEOUT_SECONDS), so a pull
    # the runner gives up on ends in its reason rather than in the client's timeout.
    DEFAULT_TIMEOUT = 900
    # A pull takes a few hundred milliseconds at best, so the first look is a little later than a
    # sandbox wait's; the backoff then matches it.
    FIRST_POLL = 0.25
    MAX_POLL = 2.0
    # Floor for each request of the wait, so the last one is not cut off before it can answer.
    MIN_REQUEST = 1.0

    # @api private The Daytona client creates the service.
    def initialize(api)
      @api = api
    end

    # Registers an image as a snapshot and waits until a runner has pulled it (`active`), polling
    # with backoff (0.25 s doubling to 2 s, jittered). Raises {Daytona::SnapshotStateError} with the
    # registry's reason if it ends in `error`, and {Daytona::TimeoutError} after `timeout` seconds;
    # either way the snapshot stays until deleted.
    #
    # @example
    #   snapshot = daytona.snapshot.create(name: 'py', image: 'registry.example.com/team/python:3.12',
    #                                      resources: { cpu: 2, memory: 4 }, on_logs: method(:puts), timeout: 300)
    #   sandbox = daytona.create(snapshot: snapshot.name)
    # @param name [String] unique among the organization's snapshots
    # @param image [String] a reference every runner of the region can pull; this server has no image builder
    # @param resources [Daytona::Resources, Hash, nil] :cpu, :memory, :disk (GiB), :gpu (only 0)
    # @param entrypoint [Array<String>, nil] the sandbox's main process; the image's own by default
    # @param region_id [String, nil] the organization's region by default
    # @param on_logs [#call, nil] called with a line per state the snapshot is seen in
    # @param timeout [Numeric] seconds, default 900
    # @return [Daytona::Snapshot]
    def create(name:, image:, resources: nil, entrypoint: nil, region_id: nil, on_logs: nil, timeout: DEFAULT_TIMEOUT)
      unless image.is_a?(String)
        raise ValidationError.new('image must be an image reference string: this server has no image builder, ' \
                                  'so build and push the image, then name it', code: 'validation_failed')
      end
      deadline = now + timeout
      body = { name: name, imageName: image, entrypoint: entrypoint, regionId: region_id,
               **resources.to_h.transform_keys(&:to_sym).slice(:cpu, :memory, :disk, :gpu) }.compact
      # Not retried: the server takes no Idempotency-Key for snapshots, and a retry after a lost
      # answer would meet its own snapshot as snapshot_name_conflict.
      dto = @api.snapshots([@api.request_timeout, [timeout, MIN_REQUEST].max].min, 'POST /snapshots') do |snapshots|
        snapshots.create_snapshot(body)
      end
      wait_until_active(to_snapshot(dto), on_logs, timeout, deadline)
    end

    # Gets a snapshot by name (or id), the organization's own or a general one. Raises
    # {Daytona::NotFoundError} (`snapshot_not_found`) if there is none.
    #
    # @example
    #   daytona.snapshot.get('py').state # => "active"
    # @return [Daytona::Snapshot]
    def get(name)
      to_snapshot(fetch(name, @api.request_timeout))
    end

    # Lists the organization's snapshots and the general ones, by name, one page at a time.
    #
    # @example
    #   page = daytona.snapshot.list(page: 1, limit: 50)
    #   page.items.map(&:name)
    # @param page [Integer, nil] 1-based
    # @param limit [Integer, nil] page size, 1-1000, default 100
    # @return [Daytona::PaginatedSnapshots]
    def list(page: nil, limit: nil)
      opts = { page: page, limit: limit }.compact
      result = @api.snapshots(@api.request_timeout, 'GET /snapshots', idempotent: true) do |snapshots|
        snapshots.list_snapshots(opts)
      end
      PaginatedSnapshots.new(items: result.items.map { |dto| to_snapshot(dto) }, total: result.total, page: result.page,
                             total_pages: result.total_pages)
    end

    # Deletes one of the organization's snapshots, given as an object or by name (or id). Refused
    # while live sandboxes use it ({Daytona::ConflictError}, `snapshot_in_use`: delete them first)
    # and for general snapshots ({Daytona::AuthorizationError}, `general_snapshot_read_only`).
    #
    # @example
    #   daytona.snapshot.delete(snapshot)
    #   daytona.snapshot.delete('py')
    # @return [void]
    def delete(snapshot_or_name)
      id_or_name = snapshot_or_name.is_a?(Snapshot) ? snapshot_or_name.id : snapshot_or_name
      @api.snapshots(@api.request_timeout, "DELETE /snapshots/#{id_or_name}", idempotent: true) do |snapshots|
        snapshots.delete_snapshot(id_or_name)
      end
      nil
    end

    private

    def wait_until_active(snapshot, on_logs, timeout, deadline)
      poll = FIRST_POLL
      logged = nil
      loop do
        if snapshot.state == 'active'
          on_logs&.call("Created snapshot #{snapshot.name} (active)")
          return snapshot
        end
        on_logs&.call("Creating snapshot #{snapshot.name} (#{snapshot.state})") unless snapshot.state == logged
        logged = snapshot.state
        raise_snapshot_error(snapshot) if snapshot.state == 'error'
        remaining = deadline - now
        if remaining <= 0
          raise TimeoutError, "Snapshot \"#{snapshot.name}\" is still #{snapshot.state} after #{timeout} s; it stays " \
                              'and may still become active: get it later, or delete it'
        end

        # Jitter keeps many waits started at once from polling in lockstep.
        sleep([poll * rand(0.8..1.2), remaining].min)
        poll = [poll * 2, MAX_POLL].min
        snapshot = to_snapshot(fetch(snapshot.id, [@api.request_timeout, [deadline - now, MIN_REQUEST].max].min))
      end
    end

    def fetch(id_or_name, timeout)
      @api.snapshots(timeout, "GET /snapshots/#{id_or_name}", idempotent: true) do |snapshots|
        snapshots.get_snapshot(id_or_name)
      end
    end

    def raise_snapshot_error(snapshot)
      raise SnapshotStateError.new(
        "Snapshot \"#{snapshot.name}\" could not be created from #{snapshot.image_name}: #{snapshot.error_reason || 'no reason given'}",
        snapshot_name: snapshot.name, state: snapshot.state, error_reason: snapshot.error_reason
      )
    end

    def to_snapshot(dto)
      Snapshot.new(
        id: dto.id, organization_id: dto.organization_id, name: dto.name, image_name: dto.image_name, general: dto.general,
        state: dto.state, error_reason: dto.error_reason, size: dto.size, entrypoint: dto.entrypoint, cpu: dto.cpu,
        gpu: dto.gpu, memory: dto.memory, disk: dto.disk, regions: dto.regions, created_at: dto.created_at,
        updated_at: dto.updated_at, last_used_at: dto.last_used_at
      )
    end

    def now
      ::Process.clock_gettime(::Process::CLOCK_MONOTONIC)
    end
  end
end
