# frozen_string_literal: true

require 'daytona_api_client'

module Daytona
  # The generated clients the SDK calls. Every call gets its own client-side deadline (the whole
  # exchange, enforced by libcurl) and every failure becomes a {Daytona::Error}.
  # @api private
  class ApiCalls
    # @return [Numeric]
    attr_reader :request_timeout

    # @param config [Daytona::Config]
    def initialize(config)
      @config = config
      @request_timeout = config.request_timeout
    end

    # Runs a call of the generated SandboxApi within `timeout` seconds.
    # @example
    #   api.sandbox(60, 'GET /sandbox/x') { |sandboxes| sandboxes.get_sandbox('x') }
    def sandbox(timeout, target, &block)
      call(timeout, target) { |client| block.call(DaytonaApiClient::SandboxApi.new(client)) }
    end

    # Runs a call of the generated ToolboxApi within `timeout` seconds.
    def toolbox(timeout, target, &block)
      call(timeout, target) { |client| block.call(DaytonaApiClient::ToolboxApi.new(client)) }
    end

    # Runs a call of the generated SnapshotsApi within `timeout` seconds.
    def snapshots(timeout, target, &block)
      call(timeout, target) { |client| block.call(DaytonaApiClient::SnapshotsApi.new(client)) }
    end

    private

    def call(timeout, target)
      yield DaytonaApiClient::ApiClient.new(generated_config(timeout))
    rescue DaytonaApiClient::ApiError, ArgumentError => e
      raise ErrorMapper.from_exception(e, target: target, timeout: timeout), cause: nil
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
