# frozen_string_literal: true

require 'daytona_api_client'

module Daytona
  # The generated clients the SDK calls. Every call gets its own client-side deadline (the whole
  # exchange, enforced by libcurl; retries included) and every failure becomes a {Daytona::Error}.
  # @api private
  class ApiCalls
    # @return [Numeric]
    attr_reader :request_timeout
    # @return [Daytona::RetryPolicy]
    attr_reader :retry_policy

    # @param config [Daytona::Config]
    def initialize(config)
      @config = config
      @request_timeout = config.request_timeout
      @retry_policy = RetryPolicy.new(config.max_retries)
    end

    # Runs a call of the generated SandboxApi within `timeout` seconds; an `idempotent` one is
    # tried again after transient failures, within the same deadline.
    # @example
    #   api.sandbox(60, 'GET /sandbox/x', idempotent: true) { |sandboxes| sandboxes.get_sandbox('x') }
    def sandbox(timeout, target, idempotent: false, &block)
      call(timeout, target, idempotent) { |client| block.call(DaytonaApiClient::SandboxApi.new(client)) }
    end

    # Runs a call of the generated ToolboxApi within `timeout` seconds, never retried.
    def toolbox(timeout, target, &block)
      call(timeout, target, false) { |client| block.call(DaytonaApiClient::ToolboxApi.new(client)) }
    end

    # Runs a call of the generated SnapshotsApi within `timeout` seconds; an `idempotent` one is
    # tried again after transient failures, within the same deadline.
    def snapshots(timeout, target, idempotent: false, &block)
      call(timeout, target, idempotent) { |client| block.call(DaytonaApiClient::SnapshotsApi.new(client)) }
    end

    private

    def call(timeout, target, idempotent)
      clock = @retry_policy.clock
      deadline = clock.now + timeout
      failures = 0
      begin
        yield DaytonaApiClient::ApiClient.new(generated_config([deadline - clock.now, 0.001].max))
      rescue DaytonaApiClient::ApiError, ArgumentError => e
        error = ErrorMapper.from_exception(e, target: target, timeout: timeout)
        failures += 1
        delay = idempotent && @retry_policy.delay_before_retry(failures, error, deadline)
        raise error, cause: nil unless delay

        clock.sleep(delay)
        retry
      end
    end

    # A configuration per call: the generated client reads its timeout from its configuration.
    def generated_config(timeout)
      uri = @config.uri
      DaytonaApiClient::Configuration.new.tap do |generated|
        generated.scheme = uri.scheme
        generated.host = "#{uri.host}:#{uri.port}"
        generated.base_path = uri.path
        generated.access_token = @config.api_key
        # `states=a&states=b`, as the API expects; Typhoeus would send `states[0]=a` by default.
        generated.params_encoding = :multi
        # Typhoeus turns a Float into milliseconds; 0 would mean "no limit".
        generated.timeout = [timeout.to_f, 0.001].max
      end
    end
  end
end
