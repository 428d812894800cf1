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

    # @return [Daytona::Process] runs commands, code and sessions inside the sandbox
    attr_reader :process
    # @return [Daytona::FileSystem] reads and writes files inside the sandbox
    attr_reader :fs

    # @api private The Daytona client creates Sandbox objects.
    def initialize(dto, api)
      @dto = dto
      @api = api
      @process = Process.new(dto.id, api)
      @fs = FileSystem.new(dto.id, api)
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
    # @return [String, nil] the state the server is driving the sandbox towards
    def desired_state = @dto.desired_state
    # @return [String] the OS user its commands run as
    def user = @dto.user
    # @return [String] the region it runs in (the same as {#region})
    def target = @dto.target
    # @return [Boolean] only a loopback interface when true
    def network_block_all = @dto.network_block_all
    # @return [String, nil] comma-separated IPv4 CIDRs it may reach
    def network_allow_list = @dto.network_allow_list
    # @return [Integer] minutes without activity before it is stopped; 0 never
    def auto_stop_interval = @dto.auto_stop_interval
    # @return [Integer] minutes after it stopped before it is destroyed; negative never, 0 at once
    def auto_delete_interval = @dto.auto_delete_interval
    # @return [Integer] always 0 on this server: stopped sandboxes are not archived
    def auto_archive_interval = @dto.auto_archive_interval
    # @return [String] base URL of its toolbox (`{toolbox_proxy_url}/{id}/...`)
    def toolbox_proxy_url = @dto.toolbox_proxy_url
    # @return [Time] the last toolbox call or start
    def last_activity_at = @dto.last_activity_at

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
      wait_for('started', timeout)
    end

    # Starts a stopped sandbox and waits until it is `started` (its files as it left them, its
    # processes anew); starting a started sandbox does nothing. A sandbox that cannot start is a
    # {Daytona::ConflictError} with code `sandbox_state_conflict` (or {Daytona::NotFoundError} once
    # it is gone); one that ends in `error` a {Daytona::SandboxStateError}; after `timeout` seconds
    # a {Daytona::TimeoutError} (the start goes on).
    #
    # @example
    #   sandbox.start
    #   sandbox.state # => "started"
    # @param timeout [Numeric] seconds, default 60
    # @return [self]
    def start(timeout = DEFAULT_START_TIMEOUT)
      deadline = now + timeout
      change_state('start', timeout) { |sandboxes| sandboxes.start_sandbox(id) }
      wait_for('started', timeout, deadline)
    end

    # Stops the sandbox and waits until it is `stopped`: its processes end, its files, name and
    # quota stay until it is deleted (or auto-deleted, {#auto_delete_interval=}). Stopping a
    # stopped sandbox does nothing. `force` is passed to the server, which here always ends the
    # processes at once.
    #
    # @example
    #   sandbox.stop
    #   sandbox.state # => "stopped"
    #   sandbox.start # the same files again
    # @param timeout [Numeric] seconds, default 60
    # @param force [Boolean]
    # @return [self]
    def stop(timeout = DEFAULT_START_TIMEOUT, force: false)
      deadline = now + timeout
      change_state('stop', timeout) { |sandboxes| sandboxes.stop_sandbox(id, force: force) }
      wait_for('stopped', timeout, deadline)
    end

    # Waits until the sandbox is `stopped`, polling with backoff; {Daytona::SandboxStateError} as
    # soon as it is in `error` or destroyed, {Daytona::TimeoutError} after `timeout` seconds.
    #
    # @example
    #   sandbox.wait_until_stopped(timeout: 30)
    # @param timeout [Numeric] seconds, default 60
    # @return [self]
    def wait_until_stopped(timeout: DEFAULT_START_TIMEOUT)
      wait_for('stopped', timeout)
    end

    # Sets how many minutes without activity (toolbox calls, a start) stop the sandbox; 0 never.
    # The sandbox's fields follow the server's answer.
    #
    # @example
    #   sandbox.auto_stop_interval = 30
    #   sandbox.auto_stop_interval # => 30
    # @param minutes [Integer]
    def auto_stop_interval=(minutes)
      set_interval('autostop', minutes) { |sandboxes| sandboxes.set_autostop_interval(id, minutes) }
    end

    # Sets how many minutes after it stopped the sandbox is destroyed: negative never, 0 as soon as
    # it stops. The sandbox's fields follow the server's answer.
    #
    # @example
    #   sandbox.auto_delete_interval = 0  # destroyed when it stops
    #   sandbox.auto_delete_interval = -1 # never
    # @param minutes [Integer]
    def auto_delete_interval=(minutes)
      set_interval('autodelete', minutes) { |sandboxes| sandboxes.set_auto_delete_interval(id, minutes) }
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

    # Polls until the sandbox is in `wanted`, until `deadline`; fails at once in a state it will
    # never leave for it. `timeout` is what the caller asked for, for the message.
    def wait_for(wanted, timeout, deadline = now + timeout)
      poll = FIRST_POLL
      loop do
        return self if state == wanted

        raise_never_reaches(wanted) if NEVER_STARTS.include?(state)
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

    # A start or stop: idempotent on the server, so retried.
    def change_state(change, timeout, &block)
      request_timeout = [@api.request_timeout, [timeout, MIN_LAST_REQUEST].max].min
      @dto = @api.sandbox(request_timeout, "POST /sandbox/#{id}/#{change}", idempotent: true, &block)
    end

    def set_interval(route, minutes, &block)
      raise ValidationError.new("#{route} interval must be a whole number of minutes, got #{minutes.inspect}", code: 'validation_failed') unless
        minutes.is_a?(Integer)

      @dto = @api.sandbox(@api.request_timeout, "POST /sandbox/#{id}/#{route}/#{minutes}", idempotent: true, &block)
    end

    def raise_never_reaches(wanted)
      reason = error_reason ? ": #{error_reason}" : ''
      verb = wanted == 'started' ? 'start' : 'stop'
      raise SandboxStateError.new("Sandbox \"#{name}\" (#{id}) is #{state} and will not #{verb}#{reason}",
                                  sandbox_id: id, state: state, error_reason: error_reason)
    end

    def now
      ::Process.clock_gettime(::Process::CLOCK_MONOTONIC)
    end
  end
end
