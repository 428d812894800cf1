# frozen_string_literal: true

module Daytona
  # What a command left behind.
  class ExecuteResponse
    # @return [Integer] the command's exit code; 124 when the server killed it at its timeout
    attr_reader :exit_code
    # @return [String] stdout and stderr interleaved (at most 1 MiB)
    attr_reader :result

    def initialize(exit_code:, result:)
      @exit_code = exit_code
      @result = result
    end

    # @return [Hash]
    def to_h
      { exit_code: exit_code, result: result }
    end
  end

  # Runs commands inside one sandbox. Reach it as `sandbox.process`.
  class Process
    # The server's default command timeout, in seconds.
    SERVER_DEFAULT_COMMAND_TIMEOUT = 300
    # The server answers up to 15 s after the command's timeout; the client waits longer still.
    RESPONSE_MARGIN_SECONDS = 30

    # @api private Sandboxes create their own Process.
    def initialize(sandbox_id, api)
      @sandbox_id = sandbox_id
      @api = api
    end

    # Runs `command` with `/bin/sh -c` inside the sandbox and waits for it to finish. Files and
    # background processes persist between calls.
    #
    # @param command [String]
    # @param cwd [String, nil] working directory; the sandbox's home directory by default
    # @param env [Hash{String=>String}, nil] extra environment variables for this command
    # @param timeout [Integer, nil] seconds before the server kills the command (exit code 124); 300 by default
    # @return [Daytona::ExecuteResponse]
    # @raise [Daytona::Error]
    #
    # @example
    #   response = sandbox.process.execute_command('echo hello')
    #   response.exit_code # => 0
    #   response.result    # => "hello\n"
    #   sandbox.process.execute_command('make test', cwd: 'app', env: { 'CI' => '1' }, timeout: 600)
    def execute_command(command, cwd: nil, env: nil, timeout: nil)
      body = { command: command, cwd: cwd, env: env, timeout: timeout }.compact
      client_timeout = (timeout || SERVER_DEFAULT_COMMAND_TIMEOUT) + RESPONSE_MARGIN_SECONDS
      target = "POST /toolbox/#{@sandbox_id}/toolbox/process/execute"
      # Never retried: a command that reached the sandbox may have run, and would run twice.
      dto = @api.toolbox(client_timeout, target) { |toolbox| toolbox.execute_command(@sandbox_id, body) }
      ExecuteResponse.new(exit_code: dto.exit_code, result: dto.result)
    end
  end
end
