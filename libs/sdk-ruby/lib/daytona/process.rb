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

  # Arguments and extra environment variables of one {Process#code_run}.
  #
  # @example
  #   Daytona::CodeRunParams.new(argv: ['a', 'b'], env: { 'MODE' => 'fast' })
  CodeRunParams = Struct.new(:argv, :env, keyword_init: true)

  # A command for {Process#execute_session_command}: with `run_async` it answers at once with
  # the command's id.
  #
  # @example
  #   Daytona::SessionExecuteRequest.new(command: 'make test', run_async: true)
  SessionExecuteRequest = Struct.new(:command, :run_async, :suppress_input_echo, keyword_init: true)

  # Runs commands, code and sessions inside one sandbox. Reach it as `sandbox.process`.
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
    # A synchronous session command is answered when it ends, at most an hour later.
    SESSION_COMMAND_TIMEOUT = 3600 + RESPONSE_MARGIN_SECONDS

    # Runs `code` with the sandbox's interpreter (python3, node, tsx) and waits for it: `language`,
    # else the sandbox's `code-toolbox-language` label, else python. An image without that
    # interpreter is a {Daytona::ValidationError} with code `interpreter_not_found`. A non-zero
    # exit code is not an error. Never retried.
    #
    # @example
    #   sandbox.process.code_run(code: 'print("hello")').result # => "hello\n"
    #   sandbox.process.code_run(code: 'import os, sys; print(sys.argv[1], os.environ["MODE"])',
    #                            params: Daytona::CodeRunParams.new(argv: ['a'], env: { 'MODE' => 'fast' }))
    # @param code [String]
    # @param params [Daytona::CodeRunParams, nil]
    # @param timeout [Integer, nil] seconds before the server kills the program (exit code 124); 300 by default
    # @param language [String, nil] "python", "javascript" or "typescript"
    # @return [Daytona::ExecuteResponse]
    def code_run(code:, params: nil, timeout: nil, language: nil)
      body = { code: code, language: language, argv: params&.argv, envs: params&.env, timeout: timeout }.compact
      client_timeout = (timeout || SERVER_DEFAULT_COMMAND_TIMEOUT) + RESPONSE_MARGIN_SECONDS
      dto = @api.toolbox(client_timeout, "POST /toolbox/#{@sandbox_id}/process/code-run") { |toolbox| toolbox.code_run(@sandbox_id, body) }
      ExecuteResponse.new(exit_code: dto.exit_code, result: dto.result)
    end

    # Starts a process session: a shell whose working directory and environment carry over
    # between its commands. An id in use is a {Daytona::ConflictError} with code `session_exists`.
    #
    # @example
    #   sandbox.process.create_session('build')
    # @return [void]
    def create_session(session_id)
      session_call('POST', '') { |toolbox| toolbox.create_session(@sandbox_id, { sessionId: session_id }) }
      nil
    end

    # Describes a session and its commands; an unknown id is a {Daytona::NotFoundError} with code
    # `session_not_found`.
    #
    # @example
    #   sandbox.process.get_session('build').commands.map(&:command)
    # @return [DaytonaApiClient::Session] session_id, commands (id, command, exit_code)
    def get_session(session_id)
      session_call('GET', "/#{session_id}", idempotent: true) { |toolbox| toolbox.get_session(@sandbox_id, session_id) }
    end

    # Lists the sandbox's sessions.
    #
    # @example
    #   sandbox.process.list_sessions.map(&:session_id)
    # @return [Array<DaytonaApiClient::Session>]
    def list_sessions
      session_call('GET', '', idempotent: true) { |toolbox| toolbox.list_sessions(@sandbox_id) }
    end

    # Ends a session and its running commands.
    #
    # @example
    #   sandbox.process.delete_session('build')
    # @return [void]
    def delete_session(session_id)
      session_call('DELETE', "/#{session_id}") { |toolbox| toolbox.delete_session(@sandbox_id, session_id) }
      nil
    end

    # Runs a command in a session. Without `run_async` it waits and answers the exit code and
    # output; with it, the command's id at once (then {#get_session_command} and
    # {#get_session_command_logs}). Never retried: the command may have run.
    #
    # @example
    #   sandbox.process.execute_session_command(session_id: 'build', req: Daytona::SessionExecuteRequest.new(command: 'cd app && export MODE=ci'))
    #   sandbox.process.execute_session_command(session_id: 'build', req: Daytona::SessionExecuteRequest.new(command: 'echo $MODE in $PWD')).output
    #   # => "ci in /home/daytona/app\n"
    # @param req [Daytona::SessionExecuteRequest, Hash] command, run_async, suppress_input_echo
    # @return [DaytonaApiClient::SessionExecuteResponse] cmd_id, exit_code, output, stdout, stderr
    def execute_session_command(session_id:, req:)
      req = SessionExecuteRequest.new(**req) if req.is_a?(Hash)
      body = { command: req.command, runAsync: req.run_async ? true : false, suppressInputEcho: req.suppress_input_echo }.compact
      timeout = req.run_async ? @api.request_timeout : SESSION_COMMAND_TIMEOUT
      @api.toolbox(timeout, "POST /toolbox/#{@sandbox_id}/process/session/#{session_id}/exec") do |toolbox|
        toolbox.session_execute_command(@sandbox_id, session_id, body)
      end
    end

    # Describes one command of a session; its `exit_code` is nil while it runs.
    #
    # @example
    #   sandbox.process.get_session_command(session_id: 'build', command_id: response.cmd_id).exit_code
    # @return [DaytonaApiClient::Command] id, command, exit_code
    def get_session_command(session_id:, command_id:)
      session_call('GET', "/#{session_id}/command/#{command_id}", idempotent: true) do |toolbox|
        toolbox.get_session_command(@sandbox_id, session_id, command_id)
      end
    end

    # What a session command wrote so far.
    #
    # @example
    #   sandbox.process.get_session_command_logs(session_id: 'build', command_id: response.cmd_id).stdout
    # @return [DaytonaApiClient::SessionCommandLogsResponse] output, stdout, stderr, truncated
    def get_session_command_logs(session_id:, command_id:)
      session_call('GET', "/#{session_id}/command/#{command_id}/logs", idempotent: true) do |toolbox|
        toolbox.get_session_command_logs(@sandbox_id, session_id, command_id)
      end
    end

    private

    def session_call(method, rest, idempotent: false, &block)
      target = "#{method} /toolbox/#{@sandbox_id}/process/session#{rest}"
      idempotent ? @api.toolbox_read(@api.request_timeout, target, &block) : @api.toolbox(@api.request_timeout, target, &block)
    end
  end
end
