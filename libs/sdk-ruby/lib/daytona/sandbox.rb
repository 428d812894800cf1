# frozen_string_literal: true

module Daytona
  # The label the API puts on every sandbox of a bulk create, the same value for the whole request.
  BULK_REQUEST_LABEL = 'daytona.io/bulk-request'

  # One sandbox. Get one from {Daytona::Daytona#create}, {Daytona::Daytona#bulk_create},
  # {Daytona::Daytona#get} or {Daytona::Daytona#list}. Its fields are a snapshot of the server's
  # view, brought up to date by {#refresh} and {#wait_until_started}.
  class Sandbox
    # States from which a sandbox will never reach `started` on its own.
    NEVER_STARTS = %w[error build_failed destroying destroyed].freeze
    DEFAULT_START_TIMEOUT = 60
    FIRST_POLL = 0.1
    MAX_POLL = 2.0
    # Floor for the last status request of a wait, so it is not cut off before it can answer.
    MIN_LAST_REQUEST = 1.0

    # @return [Daytona::Process] runs commands inside the sandbox
    attr_reader :process

    # @api private The Daytona client creates Sandbox objects.
    def initialize(dto, api)
      @dto = dto
      @api = api
      @process = Process.new(dto.id, api)
    end

    # @return [String]
    def id = @dto.id
    # @return [String] unique among the organization's live sandboxes
    def name = @dto.name
    # @return [String] one of DaytonaApiClient::SandboxState's values, e.g. "started"
    def state = @dto.state
    # @return [String]
    def organization_id = @dto.organization_id
    # @return [String] name of the snapshot the sandbox was created from
    def snapshot = @dto.snapshot
    # @return [String]
    def region = @dto.region
    # @return [String, nil]
    def runner_id = @dto.runner_id
    # @return [Numeric] CPU cores
    def cpu = @dto.cpu
    # @return [Numeric] memory, GiB
    def memory = @dto.memory
    # @return [Numeric] disk, GiB
    def disk = @dto.disk
    # @return [Hash{String=>String}]
    def env = (@dto.env || {}).dup
    # @return [Hash{String=>String}] its labels, the platform's (`daytona.io/...`) included
    def labels = (@dto.labels || {}).dup

    # The id of the bulk create that made the sandbox (its `daytona.io/bulk-request` label), the
    # same for every sandbox of that request; nil for a sandbox from {Daytona::Daytona#create}.
    #
    # @example
    #   sandboxes = daytona.bulk_create([Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 10, sandbox_name_prefix: 'job')])
    #   daytona.bulk_delete(labels: { Daytona::BULK_REQUEST_LABEL => sandboxes.first.bulk_request_id })
    # @return [String, nil]
    def bulk_request_id = (@dto.labels || {})[BULK_REQUEST_LABEL]
    # @return [String, nil] why the sandbox is in `error` or `build_failed`
    def error_reason = @dto.error_reason
    # @return [Time]
    def created_at = @dto.created_at
    # @return [Time]
    def updated_at = @dto.updated_at

    # Re-reads the sandbox from the API.
    #
    # @example
    #   sandbox.refresh
    #   sandbox.state # => "started"
    # @return [self]
    # @raise [Daytona::Error]
    def refresh
      refresh_within(@api.request_timeout)
      self
    end

    # Waits until the sandbox is `started`, polling with backoff. Raises
    # {Daytona::SandboxStateError} (with the server's reason) as soon as it ends in `error` or
    # `build_failed` or is destroyed, and {Daytona::TimeoutError} after `timeout` seconds.
    #
    # @example
    #   sandboxes = daytona.bulk_create([Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 1, sandbox_name_prefix: 'job')])
    #   sandboxes.first.wait_until_started(timeout: 30)
    # @param timeout [Numeric] seconds, default 60
    # @return [self]
    def wait_until_started(timeout: DEFAULT_START_TIMEOUT)
      deadline = now + timeout
      poll = FIRST_POLL
      loop do
        return self if state == 'started'

        raise_never_starts if NEVER_STARTS.include?(state)
        remaining = deadline - now
        if remaining <= 0
          raise TimeoutError, "Sandbox \"#{name}\" (#{id}) is still #{state} after #{timeout} s"
        end

        # Jitter keeps many sandboxes waiting at once from polling in lockstep.
        sleep([poll * rand(0.8..1.2), remaining].min)
        poll = [poll * 2, MAX_POLL].min
        refresh_within([@api.request_timeout, [deadline - now, MIN_LAST_REQUEST].max].min)
      end
    end

    # Deletes the sandbox with its processes and files; once destroyed its name is free again.
    #
    # @example
    #   sandbox.delete
    #   sandbox.state # => "destroyed"
    # @return [self]
    def delete
      @dto = @api.sandbox(@api.request_timeout, "DELETE /sandbox/#{id}", idempotent: true) { |sandboxes| sandboxes.delete_sandbox(id) }
      self
    end

    # The sandbox's fields as plain data, for logging.
    # @return [Hash]
    def to_h
      @dto.to_hash
    end

    def inspect
      "#<Daytona::Sandbox name=#{name.inspect} id=#{id.inspect} state=#{state.inspect}>"
    end

    private

    def refresh_within(timeout)
      @dto = @api.sandbox(timeout, "GET /sandbox/#{id}", idempotent: true) { |sandboxes| sandboxes.get_sandbox(id) }
    end

    def raise_never_starts
      reason = error_reason ? ": #{error_reason}" : ''
      raise SandboxStateError.new("Sandbox \"#{name}\" (#{id}) is #{state} and will not start#{reason}",
                                  sandbox_id: id, state: state, error_reason: error_reason)
    end

    def now
      ::Process.clock_gettime(::Process::CLOCK_MONOTONIC)
    end
  end
end
