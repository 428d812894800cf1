# frozen_string_literal: true

require 'json'
require 'securerandom'

module Daytona
  # One page of {Daytona::Daytona#list}.
  PaginatedSandboxes = Struct.new(:items, :total, :page, :limit, :total_pages, keyword_init: true)

  # Client of a Daytona API: creates, finds and deletes sandboxes.
  #
  # @example
  #   daytona = Daytona::Daytona.new # DAYTONA_API_KEY / DAYTONA_API_URL, or .env.local from `npm start`
  #   sandbox = daytona.create
  #   puts sandbox.process.execute_command('uname -a').result
  #   sandbox.delete
  class Daytona
    BULK_AWAIT_MARGIN_SECONDS = 30
    BULK_DEFAULT_TIMEOUT = 300
    # Even with a tiny start timeout, the create request itself gets a chance to answer.
    MIN_CREATE_REQUEST_SECONDS = 1

    # Settings come from the arguments, then the environment (DAYTONA_API_KEY, DAYTONA_API_URL),
    # then `.env.local` in the working directory or a parent. Raises {Daytona::Error} without a key.
    #
    # @example
    #   daytona = Daytona::Daytona.new(api_key: 'dtn_...', api_url: 'http://127.0.0.1:3000/api')
    # @param api_key [String, nil]
    # @param api_url [String, nil] default http://127.0.0.1:3000/api
    # @param request_timeout [Numeric, nil] seconds for get, list, delete, bulk delete and the create request; default 60
    # @param max_retries [Integer, nil] how many times an idempotent call is tried again after a dropped
    #   connection, a 429 or a 503 (README, "Retries and idempotency"); default 3, 0 for none
    def initialize(api_key: nil, api_url: nil, request_timeout: nil, max_retries: nil)
      @config = Config.new(api_key: api_key, api_url: api_url, request_timeout: request_timeout, max_retries: max_retries)
      @api = ApiCalls.new(@config)
      @snapshot = SnapshotService.new(@api)
    end

    # @return [Daytona::SnapshotService] the organization's snapshots: create (from an image reference), get, list, delete
    attr_reader :snapshot

    # @return [String] the API URL in use
    def api_url
      @config.api_url
    end

    # Creates one sandbox and waits until it is started. Raises {Daytona::SandboxStateError} if it
    # ends in error, {Daytona::TimeoutError} after `timeout` seconds; in both cases the sandbox
    # exists until you delete it. The request carries an Idempotency-Key (`idempotency_key`, or a
    # fresh UUID), the same on every retry, so a retry never creates a second sandbox.
    #
    # @example
    #   sandbox = daytona.create({ name: 'scratch', labels: { 'team' => 'eval' } }, timeout: 30)
    # @param params [Hash] :snapshot (default "default"), :name, :env, :labels
    # @param timeout [Numeric] seconds until started, default 60
    # @param idempotency_key [String, nil]
    # @return [Daytona::Sandbox]
    def create(params = {}, timeout: Sandbox::DEFAULT_START_TIMEOUT, idempotency_key: nil)
      deadline = monotonic + timeout
      body = params.to_h.transform_keys(&:to_sym).slice(:snapshot, :name, :env, :labels).compact
      request_timeout = [@api.request_timeout, [timeout, MIN_CREATE_REQUEST_SECONDS].max].min
      key = idempotency_key || SecureRandom.uuid
      dto = @api.sandbox(request_timeout, 'POST /sandbox', idempotent: true) do |sandboxes|
        sandboxes.create_sandbox(body, idempotency_key: key)
      end
      sandbox = Sandbox.new(dto, @api)
      sandbox.wait_until_started(timeout: [deadline - monotonic, 0].max)
    end

    # Gets a sandbox by id or name. Raises {Daytona::NotFoundError} if the organization has none.
    #
    # @example
    #   sandbox = daytona.get('batch-a-00001')
    # @return [Daytona::Sandbox]
    def get(id_or_name)
      dto = @api.sandbox(@api.request_timeout, "GET /sandbox/#{id_or_name}", idempotent: true) do |sandboxes|
        sandboxes.get_sandbox(id_or_name)
      end
      Sandbox.new(dto, @api)
    end

    # Lists the organization's sandboxes, newest first, one page at a time.
    #
    # @example
    #   page = daytona.list(states: ['started'], labels: { 'team' => 'eval' }, limit: 1000)
    #   page.items.map(&:name)
    # @param states [Array<String>, nil] only these states; destroyed ones are listed only when asked for
    # @param labels [Hash, nil] only sandboxes carrying all of these labels
    # @param page [Integer, nil] 1-based
    # @param limit [Integer, nil] page size, 1-1000, default 100
    # @return [Daytona::PaginatedSandboxes]
    def list(states: nil, labels: nil, page: nil, limit: nil)
      opts = { states: states, labels: labels&.to_json, page: page, limit: limit }.compact
      result = @api.sandbox(@api.request_timeout, 'GET /sandbox', idempotent: true) { |sandboxes| sandboxes.list_sandboxes(opts) }
      PaginatedSandboxes.new(
        items: result.items.map { |dto| Sandbox.new(dto, @api) },
        total: result.total, page: result.page, limit: result.limit, total_pages: result.total_pages
      )
    end

    # Deletes a sandbox, given as an object or by id or name. (By name, a retry after a dropped
    # answer can meet {Daytona::NotFoundError}: the first attempt destroyed it and freed the name.)
    #
    # @example
    #   daytona.delete(sandbox)
    #   daytona.delete('batch-a-00002')
    # @return [void]
    def delete(sandbox_or_id)
      return sandbox_or_id.delete if sandbox_or_id.is_a?(Sandbox)

      @api.sandbox(@api.request_timeout, "DELETE /sandbox/#{sandbox_or_id}", idempotent: true) do |sandboxes|
        sandboxes.delete_sandbox(sandbox_or_id)
      end
      nil
    end

    # Starts a stopped sandbox and waits until it is started; the same as {Sandbox#start}.
    #
    # @example
    #   daytona.start(sandbox, 120)
    # @param sandbox [Daytona::Sandbox]
    # @param timeout [Numeric] seconds, default 60
    # @return [Daytona::Sandbox]
    def start(sandbox, timeout = Sandbox::DEFAULT_START_TIMEOUT) = sandbox.start(timeout)

    # Stops a sandbox and waits until it is stopped; the same as {Sandbox#stop}.
    #
    # @example
    #   daytona.stop(sandbox)
    # @param sandbox [Daytona::Sandbox]
    # @param timeout [Numeric] seconds, default 60
    # @return [Daytona::Sandbox]
    def stop(sandbox, timeout = Sandbox::DEFAULT_START_TIMEOUT) = sandbox.stop(timeout)

    # Destroys every live sandbox matching all the selectors given and returns how many it marked
    # for destruction: they are `destroying` on return and `destroyed` once their runner has
    # removed them. The server marks at most 10,000 per request; this asks again until nothing
    # more matches, so one call deletes them all. No selector is a {Daytona::ValidationError} with
    # code `empty_selector`: a bulk delete never means "everything". After a retried request whose
    # first answer was lost, the count leaves out what that request marked.
    #
    # @example
    #   deleted = daytona.bulk_delete(labels: { 'run' => 'eval-7' })
    #   daytona.bulk_delete(name_prefix: 'eval-7-', ids: [sandbox.id]) # both must match
    # @param labels [Hash{String=>String}, nil] labels a sandbox must all have
    # @param name_prefix [String, nil] a prefix of the name, as plain text
    # @param ids [Array<String>, nil] sandbox ids, at most 10,000
    # @return [Integer]
    def bulk_delete(labels: nil, name_prefix: nil, ids: nil)
      body = { labels: labels, namePrefix: name_prefix, ids: ids }.compact
      total = 0
      loop do
        result = @api.sandbox(@api.request_timeout, 'POST /sandbox/bulk-delete', idempotent: true) do |sandboxes|
          sandboxes.bulk_delete_sandboxes(body)
        end
        total += result.count
        # A round that marks nothing ends the loop even if the server says more match.
        return total if !result.has_more || result.count.zero?
      end
    end

    # Creates many sandboxes in one call: all or nothing, in item order then name order
    # (`{prefix}-00001`, ...). Without `await_started` it answers at once and the sandboxes start in
    # the background (see {Sandbox#wait_until_started}). With `await_started` it answers when every
    # sandbox is started, error or build_failed, or at the server's own limit: check each `state`.
    # With `allow_under`, an item may create fewer than `count`: compare what came back. An item's
    # `labels` and `env` go to each of its sandboxes; every sandbox of the request carries its id
    # as {Sandbox#bulk_request_id}. The request carries an Idempotency-Key (`idempotency_key`, or a
    # fresh UUID), the same on every retry, so a retry never creates twice.
    #
    # @example
    #   items = [Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 100, sandbox_name_prefix: 'eval-7', allow_under: true)]
    #   sandboxes = daytona.bulk_create(items, await_started: true, timeout: 300)
    #   puts "#{sandboxes.size} of 100 created"
    # @param items [Array<Daytona::BulkCreateItem, Hash>] a Hash takes BulkCreateItem's keyword arguments
    # @param await_started [Boolean]
    # @param timeout [Numeric] seconds; with await_started the client waits 30 s more, so the server answers first
    # @param idempotency_key [String, nil]
    # @return [Array<Daytona::Sandbox>]
    # @raise [Daytona::TimeoutError, Daytona::ConnectionError] the sandboxes may exist anyway; the message names them and the key
    def bulk_create(items, await_started: false, timeout: BULK_DEFAULT_TIMEOUT, idempotency_key: nil)
      items = Array(items).map { |item| to_bulk_create_item(item) }
      body = { items: items.map(&:to_h), awaitStarted: await_started }
      client_timeout = await_started ? timeout + BULK_AWAIT_MARGIN_SECONDS : timeout
      key = idempotency_key || SecureRandom.uuid
      dtos = @api.sandbox(client_timeout, 'POST /sandbox/bulk', idempotent: true) do |sandboxes|
        sandboxes.bulk_create_sandbox(body, idempotency_key: key)
      end
      dtos.map { |dto| Sandbox.new(dto, @api) }
    rescue TimeoutError, ConnectionError => e
      names = items.map { |item| "#{item.sandbox_name_prefix}-00001..." }.join(', ')
      raise e.class, "#{e.message}. The sandboxes may have been created anyway: look them up by name " \
                     "(#{names}) and delete them if unwanted, or call bulk_create again with " \
                     "idempotency_key: '#{key}' to get them without creating more"
    end

    private

    def to_bulk_create_item(item)
      return item if item.is_a?(BulkCreateItem)

      BulkCreateItem.new(**item.to_h.transform_keys(&:to_sym))
    rescue ArgumentError, NoMethodError => e
      raise ValidationError.new("Not a bulk create item: #{item.inspect} (#{e.message})", code: 'validation_failed')
    end

    def monotonic
      ::Process.clock_gettime(::Process::CLOCK_MONOTONIC)
    end
  end
end
